//! Pictures of the mall's merchandise (seed 003 三: `prev_res`, `intro_res`, `detail_res`):
//! uploaded by those who write merchandise, kept in the file store
//! ([`providers::files`](crate::server::providers::files)), served to anyone at `/files/{key}`.
//!
//! Only PNG, JPEG, WebP and GIF are taken, recognised by their first bytes (a declared type
//! that says otherwise is refused too), up to `FILES_MAX_BYTES`. The key is the SHA-256 of the
//! bytes and the type's extension: the same picture is kept once and answers the same URL, and
//! no one can name a key to overwrite another picture with (a key's content is its hash).

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::server::{
    auth::principal::Principal,
    error::{codes, ApiError, Result},
    secret::hex,
    service::merchandise,
    state::Ctx,
};

/// Where the site serves the file stored under a key.
pub const URL_PREFIX: &str = "/files/";

/// Answers of `/files/{key}` never change (the key is the content's hash): a year in any cache.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The picture types taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl ImageType {
    const ALL: [ImageType; 4] = [ImageType::Png, ImageType::Jpeg, ImageType::Webp, ImageType::Gif];

    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Webp => "image/webp",
            ImageType::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Png => "png",
            ImageType::Jpeg => "jpg",
            ImageType::Webp => "webp",
            ImageType::Gif => "gif",
        }
    }

    /// The type a `Content-Type` header names (parameters and case ignored; `image/jpg`, which
    /// some clients send, is JPEG).
    pub fn declared(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "image/jpg" => Some(ImageType::Jpeg),
            other => Self::ALL.into_iter().find(|t| t.mime() == other),
        }
    }

    /// The type the bytes are, by their signature (what browsers and decoders go by too).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageType::Gif)
        } else {
            None
        }
    }

    /// The type of a well-formed key (64 lower-case hex digits, a dot, an extension); `None` for
    /// anything else, which therefore names no file.
    pub fn of_key(key: &str) -> Option<Self> {
        let (hash, extension) = key.split_once('.')?;
        let hex_ok = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        hex_ok.then(|| Self::ALL.into_iter().find(|t| t.extension() == extension)).flatten()
    }
}

/// A stored picture, as `/files/{key}` sends it.
#[derive(Debug)]
pub struct Image {
    pub bytes: Bytes,
    pub content_type: &'static str,
}

/// Whether `principal` may upload pictures: whoever writes merchandise (a member of an open
/// vendor running its mall, whose role manages the mall, 1702). The doors ask before they read
/// an upload's body, so a refused caller does not get to send megabytes first.
pub async fn may_upload(ctx: &Ctx, principal: &Principal) -> Result<()> {
    merchandise::writer(ctx, principal).await.map(|_| ())
}

/// Stores an uploaded picture and answers its URL (`/files/{key}`), for a merchandise's
/// `resource`. The same picture answers the same URL. `content_type` is what the client
/// declared; the bytes must be that type. Refused: 4031001 (not a mall writer), 4001220 (not a
/// PNG, JPEG, WebP or GIF, or not the declared type), 4001221 (over `FILES_MAX_BYTES`); a
/// refused upload stores nothing.
pub async fn upload_image(ctx: &Ctx, principal: &Principal, content_type: &str, bytes: Bytes) -> Result<String> {
    may_upload(ctx, principal).await?;
    let kind = check(ctx.config.files_max_bytes, content_type, &bytes)?;
    let key = format!("{}.{}", hex(&Sha256::digest(&bytes)), kind.extension());
    let size = bytes.len();
    ctx.files.put(&key, bytes, kind.mime(), CACHE_CONTROL).await?;
    tracing::info!(key = %key, bytes = size, corp = ?principal.corp_id(), "picture uploaded");
    Ok(format!("{URL_PREFIX}{key}"))
}

/// The picture stored under `key` (public: keys are hashes of what they name); `None` when the
/// key is malformed or names nothing stored.
pub async fn read(ctx: &Ctx, key: &str) -> Result<Option<Image>> {
    let Some(kind) = ImageType::of_key(key) else { return Ok(None) };
    Ok(ctx.files.get(key).await?.map(|bytes| Image { bytes, content_type: kind.mime() }))
}

/// The picture's type, when the bytes are a picture of the declared type within the limit.
fn check(max_bytes: usize, content_type: &str, bytes: &[u8]) -> Result<ImageType, ApiError> {
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    let Some(declared) = ImageType::declared(content_type) else {
        return Err(ApiError::new(
            codes::IMAGE_REFUSED,
            format!("Content-Type {content_type:?}: only image/png, image/jpeg, image/webp and image/gif are taken"),
        ));
    };
    match ImageType::sniff(bytes) {
        Some(actual) if actual == declared => Ok(actual),
        Some(actual) => Err(ApiError::new(
            codes::IMAGE_REFUSED,
            format!("the body is {}, not {} as Content-Type says", actual.mime(), declared.mime()),
        )),
        None => Err(ApiError::new(codes::IMAGE_REFUSED, format!("the body is not a {} picture", declared.mime()))),
    }
}

/// 4001221: more than `max_bytes`.
pub fn too_large(max_bytes: usize) -> ApiError {
    ApiError::new(codes::IMAGE_TOO_LARGE, format!("a picture may be at most {max_bytes} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn types_are_told_by_their_bytes() {
        assert_eq!(ImageType::sniff(PNG), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(ImageType::sniff(b"GIF89a\x01\0\x01\0"), Some(ImageType::Gif));
        assert_eq!(ImageType::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(ImageType::sniff(b""), None);
    }

    #[test]
    fn the_declared_type_must_be_what_the_bytes_are() {
        assert_eq!(check(100, "image/png", PNG), Ok(ImageType::Png));
        assert_eq!(check(100, "Image/PNG; charset=binary", PNG), Ok(ImageType::Png));
        assert_eq!(check(100, "image/jpeg", PNG).unwrap_err().code, codes::IMAGE_REFUSED);
        assert_eq!(check(100, "image/svg+xml", PNG).unwrap_err().code, codes::IMAGE_REFUSED);
        assert_eq!(check(100, "image/png", b"hello").unwrap_err().code, codes::IMAGE_REFUSED);
        assert_eq!(check(100, "image/jpg", &[0xFF, 0xD8, 0xFF, 0xDB]), Ok(ImageType::Jpeg));
        assert_eq!(check(PNG.len() - 1, "image/png", PNG).unwrap_err().code, codes::IMAGE_TOO_LARGE);
        assert_eq!(check(PNG.len(), "image/png", PNG), Ok(ImageType::Png));
    }

    #[test]
    fn only_well_formed_keys_name_files() {
        let hash = "ab".repeat(32);
        assert_eq!(ImageType::of_key(&format!("{hash}.png")), Some(ImageType::Png));
        assert_eq!(ImageType::of_key(&format!("{hash}.jpg")), Some(ImageType::Jpeg));
        assert_eq!(ImageType::of_key(&format!("{hash}.svg")), None);
        assert_eq!(ImageType::of_key(&format!("{}.png", "AB".repeat(32))), None);
        assert_eq!(ImageType::of_key(&format!("{}.png", &hash[1..])), None);
        assert_eq!(ImageType::of_key("../../etc/passwd"), None);
        assert_eq!(ImageType::of_key(&format!("{hash}.png.png")), None);
    }
}
