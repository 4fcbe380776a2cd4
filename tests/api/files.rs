//! Pictures of the mall's merchandise: uploaded by those who write merchandise (`POST
//! /api/mall/images` with a token, `POST /files` with the portal's session), stored once under
//! the hash of their bytes, served to anyone at `/files/{key}`; bad uploads are refused and store
//! nothing. The S3 backend is tested against moto's server (a local S3 stand-in), shared by two
//! app servers.

use std::{
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use backoffice::server::{
    config::{FileStore, S3Store},
    secret::{random_hex, Secret},
};
use base64::Engine;
use futures_util::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt};
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    helpers::{spawn_with, test_config, Answer, Backend, TestApp},
    operations::{platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, USER_PWD, VENDOR_PWD},
};

crate::both_backends!(
    a_vendor_uploads_pictures_and_anyone_reads_them,
    only_mall_writers_upload,
    bad_uploads_are_refused_and_store_nothing,
    pictures_go_to_an_s3_bucket_that_app_servers_share,
);

/// The largest picture the tests' servers take (`FILES_MAX_BYTES`).
const MAX: usize = 64 * 1024;

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).expect("base64")
}

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    b64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
}

/// A 1×1 GIF.
fn gif() -> Vec<u8> {
    b64("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
}

/// A 1×1 lossless WebP.
fn webp() -> Vec<u8> {
    b64("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
}

/// A JPEG's start of image and JFIF header, and its end.
fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// `/files/` and the SHA-256 of `bytes` with the extension: the URL an upload answers.
fn url_of(bytes: &[u8], extension: &str) -> String {
    let hash: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("/files/{hash}.{extension}")
}

/// A server whose pictures go to a folder of the test's own.
async fn spawn_local(backend: Backend) -> (TestApp, PathBuf) {
    let dir = std::env::temp_dir().join(format!("bo_test_files_{}", random_hex(6)));
    let config = backoffice::server::config::Config {
        files: FileStore::Local { dir: dir.clone() },
        files_max_bytes: MAX,
        ..test_config()
    };
    (spawn_with(backend, config).await, dir)
}

/// Every file under `dir`, however deep.
fn stored(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(stored(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// `POST /api/mall/images` with `bytes` as `content_type` (none when empty).
async fn upload(app: &TestApp, token: Option<&str>, content_type: &str, bytes: Vec<u8>) -> Answer {
    let mut req = app.client.post(app.url("/api/mall/images")).body(bytes);
    if !content_type.is_empty() {
        req = req.header("Content-Type", content_type);
    }
    if let Some(t) = token {
        req = req.header("Access-Token", t);
    }
    app.send(req).await
}

/// An upload's URL, asserting 201 and the envelope.
async fn uploaded(app: &TestApp, token: &str, content_type: &str, bytes: Vec<u8>) -> String {
    let a = upload(app, Some(token), content_type, bytes).await;
    let data = a.ok_envelope(201);
    assert_eq!(a.body["total"], json!(1), "{:?}", a.body);
    data["url"].as_str().expect("url").to_owned()
}

/// `GET` of a stored file: status, content type and bytes.
async fn fetch(base: &str, client: &reqwest::Client, url: &str) -> reqwest::Response {
    client.get(format!("{base}{url}")).send().await.expect("file fetched")
}

async fn a_vendor_uploads_pictures_and_anyone_reads_them(backend: Backend) {
    let (app, dir) = spawn_local(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Pictures").await;
    let vendor = vendor_token(&app, &v).await;

    let url = uploaded(&app, &vendor, "image/png", png()).await;
    assert_eq!(url, url_of(&png(), "png"), "the key is the hash of the bytes");
    // Anyone reads it, with its type, cacheable for a year, never sniffed.
    let anonymous = reqwest::Client::new();
    let res = fetch(&app.base, &anonymous, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(cache.contains("public") && cache.contains("max-age=31536000") && cache.contains("immutable"), "{cache}");
    assert_eq!(res.bytes().await.unwrap().as_ref(), png().as_slice());
    // A revalidation answers 304 without the bytes.
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let again = anonymous.get(app.url(&url)).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The same picture again: the same URL, kept once.
    assert_eq!(uploaded(&app, &vendor, "image/png; charset=binary", png()).await, url);
    assert_eq!(stored(&dir).len(), 1, "{:?}", stored(&dir));

    // Every type taken, each served as itself.
    for (content_type, bytes, extension) in
        [("image/jpeg", jpeg(), "jpg"), ("image/gif", gif(), "gif"), ("image/webp", webp(), "webp")]
    {
        let url = uploaded(&app, &vendor, content_type, bytes.clone()).await;
        assert_eq!(url, url_of(&bytes, extension));
        let res = fetch(&app.base, &anonymous, &url).await;
        assert_eq!(res.headers()["content-type"], content_type);
        assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
    assert_eq!(stored(&dir).len(), 4);

    // A member whose role manages the mall uploads too.
    let role = app.add_role(&vendor, "mall manager", &[1701, 1702]).await;
    let (_, email, password) = app.add_member(&vendor, 99, Some(role)).await;
    let manager = app.login_as(&email, &password).await;
    assert_eq!(uploaded(&app, &manager, "image/gif", gif()).await, url_of(&gif(), "gif"));

    // The URLs are what merchandise's pictures hold.
    let body = json!({ "name": "Purifier", "price": 100,
                       "resource": { "prev_res": url, "intro_res": [url_of(&gif(), "gif")], "detail_res": url } });
    let m = app.post("/api/products", &body, Some(&vendor)).await;
    assert_eq!(m.ok_envelope(201)["resource"]["prev_res"], json!(url));

    // The portal's door: the browser session, same origin, answers {url}.
    let login = app.server_fn("corp_login", &[("account", &v.mobile), ("password", VENDOR_PWD)]).await;
    assert!(login.status().is_success() || login.status().is_redirection(), "{}", login.status());
    let portal = app
        .client
        .post(app.url("/files"))
        .header("Origin", app.base.clone())
        .header("Content-Type", "image/webp")
        .body(webp());
    let a = app.send(portal).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    assert_eq!(a.body, json!({ "url": url_of(&webp(), "webp") }));
    // With the session's cookie but from another site: refused before anything is read.
    let cross = app.client.post(app.url("/files")).header("Origin", "http://evil.example").body(png());
    app.send(cross.header("Content-Type", "image/png")).await.assert_error(4031001);
    assert_eq!(stored(&dir).len(), 4);

    // The document shows the upload's body as the pictures it takes, not JSON.
    let doc = app.get("/api/openapi.json", None).await;
    let op = &doc.assert_ok()["paths"]["/api/mall/images"]["post"];
    let content = op["requestBody"]["content"].as_object().expect("a request body");
    let types: Vec<&str> = content.keys().map(String::as_str).collect();
    assert_eq!(types, ["image/png", "image/jpeg", "image/webp", "image/gif"], "{op}");
    assert_eq!(content["image/png"]["schema"]["format"], json!("binary"));
    assert!(op["responses"]["201"].is_object(), "{op}");
    let _ = std::fs::remove_dir_all(&dir);
}

async fn only_mall_writers_upload(backend: Backend) {
    let (app, dir) = spawn_local(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Guarded").await;
    let vendor = vendor_token(&app, &v).await;
    let other = register_vendor(&app, &platform, "Other").await;
    let other = vendor_token(&app, &other).await;

    let (_, mobile) = sign_up(&app, &v.vid, json!({})).await;
    let user = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    let dealer = app.add_dealer(&vendor, None).await;
    let dealer = app.dealer_token(&v.vid, &dealer).await;
    let buyer = app.add_heavy_buyer(&vendor).await;
    let buyer = app.heavy_buyer_token(&v.vid, &buyer).await;
    let viewer_role = app.add_role(&vendor, "mall viewer", &[1701]).await;
    let (_, email, password) = app.add_member(&vendor, 99, Some(viewer_role)).await;
    let viewer = app.login_as(&email, &password).await;

    for (who, token) in [
        ("end user", &user),
        ("dealer", &dealer),
        ("key account", &buyer),
        ("viewer", &viewer),
        ("platform", &platform),
    ] {
        let a = upload(&app, Some(token), "image/png", png()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{who}: {:?}", a.body);
        a.assert_failure(4031001);
    }
    upload(&app, None, "image/png", png()).await.assert_failure(4011002);
    upload(&app, Some("not-a-token"), "image/png", png()).await.assert_failure(4011003);
    // The portal's door without a session.
    let portal = app.client.post(app.url("/files")).header("Origin", app.base.clone()).body(png());
    app.send(portal.header("Content-Type", "image/png")).await.assert_error(4031002);
    assert!(stored(&dir).is_empty(), "nothing stored: {:?}", stored(&dir));

    // Another vendor uploads its own pictures (content is shared: the same bytes, the same URL).
    assert_eq!(uploaded(&app, &other, "image/png", png()).await, url_of(&png(), "png"));
    // A vendor whose mall is switched off (AX-08) uploads nothing.
    app.put(&format!("/api/vendors/{}/cfg", v.vid), Some(&json!({ "mall": false })), Some(&platform))
        .await
        .ok_envelope(201);
    upload(&app, Some(&vendor), "image/gif", gif()).await.assert_failure(4031042);
    assert_eq!(stored(&dir).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn bad_uploads_are_refused_and_store_nothing(backend: Backend) {
    let (app, dir) = spawn_local(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Strict").await;
    let vendor = vendor_token(&app, &v).await;

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let mut html_as_png = b"\x89PNG".to_vec();
    html_as_png.extend_from_slice(b"<html><script>alert(1)</script></html>");
    for (why, content_type, bytes) in [
        ("text declared as a PNG", "image/png", b"hello, world".to_vec()),
        ("a PNG declared as a JPEG", "image/jpeg", png()),
        ("a GIF declared as a WebP", "image/webp", gif()),
        ("an SVG", "image/svg+xml", svg.clone()),
        ("an SVG declared as a PNG", "image/png", svg),
        ("half a PNG signature", "image/png", html_as_png),
        ("no Content-Type", "", png()),
        ("JSON", "application/json", b"{\"url\": \"x\"}".to_vec()),
        ("nothing", "image/png", Vec::new()),
    ] {
        let a = upload(&app, Some(&vendor), content_type, bytes).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {:?}", a.body);
        a.assert_failure(4221220);
    }
    // One byte over the limit; then exactly the limit.
    let mut big = png();
    big.resize(MAX + 1, 0);
    let a = upload(&app, Some(&vendor), "image/png", big.clone()).await;
    a.assert_failure(4221221);
    assert!(a.body["message"].as_str().unwrap().contains(&MAX.to_string()), "{:?}", a.body);
    // A body without a length (chunked) is cut off at the limit just the same.
    let chunks =
        futures_util::stream::iter(big.chunks(4096).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>());
    let chunked = app
        .client
        .post(app.url("/api/mall/images"))
        .header("Access-Token", &vendor)
        .header("Content-Type", "image/png")
        .body(reqwest::Body::wrap_stream(chunks));
    app.send(chunked).await.assert_failure(4221221);
    // The portal's door answers the same, in the error body of its side.
    app.server_fn("corp_login", &[("account", &v.mobile), ("password", VENDOR_PWD)]).await;
    let portal = app.client.post(app.url("/files")).header("Origin", app.base.clone()).body(big.clone());
    app.send(portal.header("Content-Type", "image/png")).await.assert_error(4001221);
    let portal = app.client.post(app.url("/files")).header("Origin", app.base.clone()).body(b"GIF".to_vec());
    app.send(portal.header("Content-Type", "image/gif")).await.assert_error(4001220);
    assert!(stored(&dir).is_empty(), "nothing stored: {:?}", stored(&dir));

    big.truncate(MAX);
    assert_eq!(uploaded(&app, &vendor, "image/png", big.clone()).await, url_of(&big, "png"));
    assert_eq!(stored(&dir).len(), 1);

    // Keys that name nothing, or are not keys at all.
    let missing = url_of(b"never uploaded", "png");
    for url in [missing.as_str(), "/files/nope", "/files/..%2F..%2Fetc%2Fpasswd", "/files/secrets.key"] {
        let res = fetch(&app.base, &app.client, url).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{url}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], json!(4041080), "{url}: {body}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

const INSTALL_MOTO: &str = "the S3 tests need moto's server; install it with \
                            `python3 -m pip install 'moto[server]==5.2.1'` (scripts/setup --browser does)";

/// moto's S3 server on a free port of this machine, stopped when dropped.
struct Moto {
    url: String,
    child: Child,
}

impl Moto {
    /// Starts `moto_server` (or `python3 -m moto.server`; `MOTO_SERVER` names another command).
    /// A test that needs it fails, never skips, when it is not installed.
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let address = ["-H".to_owned(), "127.0.0.1".to_owned(), "-p".to_owned(), port.to_string()];
        let run = |program: &str, args: &[&str]| {
            Command::new(program).args(args).args(&address).stdout(Stdio::null()).stderr(Stdio::null()).spawn()
        };
        let (command, started) = match std::env::var("MOTO_SERVER") {
            Ok(command) => (command.clone(), run(&command, &[])),
            Err(_) => match run("moto_server", &[]) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    ("python3 -m moto.server".to_owned(), run("python3", &["-m", "moto.server"]))
                }
                started => ("moto_server".to_owned(), started),
            },
        };
        let child = started.unwrap_or_else(|e| panic!("cannot start {command} ({e}): {INSTALL_MOTO}"));
        let mut moto = Moto { url: format!("http://127.0.0.1:{port}"), child };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("{command} exited at start ({status}): {INSTALL_MOTO}");
            }
            assert!(Instant::now() < deadline, "{command} did not listen on port {port} within a minute");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn pictures_go_to_an_s3_bucket_that_app_servers_share(backend: Backend) {
    let moto = Moto::start();
    let bucket = format!("pictures-{}", random_hex(4));
    let s3 = reqwest::Client::new();
    let made = s3.put(format!("{}/{bucket}", moto.url)).send().await.expect("moto answers");
    assert!(made.status().is_success(), "bucket made: {}", made.status());
    let secret = "moto-secret-Zq9x";
    let config = || backoffice::server::config::Config {
        files: FileStore::S3(S3Store {
            endpoint: Some(moto.url.clone()),
            bucket: bucket.clone(),
            region: "us-east-1".into(),
            access_key_id: "testing".into(),
            secret_access_key: Secret::new(secret),
            virtual_hosted: false,
        }),
        files_max_bytes: MAX,
        ..test_config()
    };
    // Two app servers on one bucket.
    let app = spawn_with(backend, config()).await;
    let second = spawn_with(backend, config()).await;
    assert!(!format!("{:?}", app.ctx.config).contains(secret), "the settings never show the secret");
    assert!(!format!("{:?}", app.ctx).contains(secret), "nor does the context");

    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Bucket").await;
    let vendor = vendor_token(&app, &v).await;
    let url = uploaded(&app, &vendor, "image/png", png()).await;
    assert_eq!(url, url_of(&png(), "png"));
    // The other server serves it from the bucket.
    let res = fetch(&second.base, &second.client, &url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), png().as_slice());
    // In the bucket (read with a client of its own), the object carries its type and caching.
    let bucket_client = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&moto.url)
        .with_allow_http(true)
        .with_bucket_name(&bucket)
        .with_region("us-east-1")
        .with_access_key_id("testing")
        .with_secret_access_key(secret)
        .build()
        .unwrap();
    let key = url.strip_prefix("/files/").unwrap();
    let object = bucket_client.get(&object_store::path::Path::from(format!("{}/{key}", &key[..2]))).await.unwrap();
    assert_eq!(
        object.attributes.get(&object_store::Attribute::ContentType).map(|v| v.as_ref()),
        Some("image/png"),
        "{:?}",
        object.attributes
    );
    let cache = object.attributes.get(&object_store::Attribute::CacheControl).map(|v| v.to_string());
    assert!(cache.as_deref().is_some_and(|c| c.contains("immutable")), "{cache:?}");
    assert_eq!(object.bytes().await.unwrap().as_ref(), png().as_slice());

    // The same picture through the other server: the same URL, still one object; bad ones add none.
    let second_platform = platform_token(&second).await;
    let w = register_vendor(&second, &second_platform, "Bucket two").await;
    let second_vendor = vendor_token(&second, &w).await;
    assert_eq!(uploaded(&second, &second_vendor, "image/png", png()).await, url);
    upload(&second, Some(&second_vendor), "image/png", b"not a picture".to_vec()).await.assert_failure(4221220);
    let gif_url = uploaded(&second, &second_vendor, "image/gif", gif()).await;
    let listed: Vec<_> = bucket_client.list(None).try_collect().await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let res = fetch(&app.base, &app.client, &gif_url).await;
    assert_eq!(res.headers()["content-type"], "image/gif");
    assert_eq!(res.bytes().await.unwrap().as_ref(), gif().as_slice());
    let missing = fetch(&app.base, &app.client, &url_of(b"never", "png")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
