//! A partner's sign-in entry (the original console's `entry_config`): the logo and text its
//! sign-in page shows, whether that page is open, and which products and portal modules its
//! portal shows. A product or module not listed is shown.

use serde::{Deserialize, Serialize};

/// The modules our portals' pages belong to and an entry may hide: Devices, and the dealer's Sales.
pub const DEVICES: &str = "device_list";
pub const SALES: &str = "analyse";

/// The modules the console configures (ours among them); the others are kept for the console.
pub const DEALER_MODULES: [&str; 7] =
    ["summary", "device_list", "alert", "device_map", "analyse", "warranty", "helpdesk"];
pub const HEAVY_BUYER_MODULES: [&str; 5] = ["summary", "device_list", "alert", "device_map", "analyse"];

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryConfig {
    /// Whether the partner's sign-in page is open.
    #[serde(default = "yes")]
    pub is_enable: bool,
    /// Where the console says the entry lives (kept as given).
    #[serde(default)]
    pub domain: String,
    /// The text the sign-in page shows.
    #[serde(default)]
    pub login_context: String,
    /// An `http(s)` address of the logo, or empty.
    #[serde(default)]
    pub logo_url: String,
    #[serde(default)]
    pub product: Vec<ProductShown>,
    #[serde(default)]
    pub module: Vec<ModuleShown>,
}

impl Default for EntryConfig {
    fn default() -> Self {
        Self {
            is_enable: true,
            domain: String::new(),
            login_context: String::new(),
            logo_url: String::new(),
            product: Vec::new(),
            module: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductShown {
    pub product_id: String,
    #[serde(default = "yes")]
    pub is_visible: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleShown {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default = "yes")]
    pub is_visible: bool,
}

impl EntryConfig {
    pub fn shows_product(&self, product_id: &str) -> bool {
        self.product.iter().find(|p| p.product_id == product_id).is_none_or(|p| p.is_visible)
    }

    pub fn shows_module(&self, kind: &str) -> bool {
        self.module.iter().find(|m| m.kind == kind).is_none_or(|m| m.is_visible)
    }

    /// Every product and module named, the unlisted ones as shown (what the console's sign-in
    /// page checks: at least one of each visible).
    pub fn completed(mut self, products: impl IntoIterator<Item = String>, modules: &[&str]) -> Self {
        for id in products {
            if !self.product.iter().any(|p| p.product_id == id) {
                self.product.push(ProductShown { product_id: id, is_visible: true });
            }
        }
        for kind in modules {
            if !self.module.iter().any(|m| m.kind == *kind) {
                self.module.push(ModuleShown { kind: (*kind).to_owned(), is_visible: true });
            }
        }
        self
    }
}

/// What a partner's sign-in page shows of its entry (the public part).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryBranding {
    pub is_enable: bool,
    pub login_context: String,
    pub logo_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_means_shown_and_completion_lists_everything() {
        let config: EntryConfig = serde_json::from_value(serde_json::json!({
            "product": [{ "product_id": "p1", "is_visible": false }],
            "module": [{ "type": "device_list", "is_visible": false }],
            "treeIndex": 3
        }))
        .unwrap();
        assert!(config.is_enable && !config.shows_product("p1") && config.shows_product("p2"));
        assert!(!config.shows_module("device_list") && config.shows_module("analyse"));
        let full = config.completed(["p1".to_owned(), "p2".to_owned()], &HEAVY_BUYER_MODULES);
        assert_eq!(full.product.len(), 2);
        assert_eq!(full.module.len(), 5);
        assert!(!full.shows_product("p1") && full.shows_product("p2"));
    }
}
