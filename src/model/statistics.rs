//! The figures the statistics endpoints answer and the corp dashboard draws.

use serde::{Deserialize, Serialize};

/// One day of the sales trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayTotal {
    /// `yyyy-MM-dd`, a UTC day.
    pub day: String,
    pub sale_total: i64,
}

/// The key accounts and the devices granted to them, in all and this (UTC) month.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyerSummary {
    pub heavy_buyer: i64,
    pub current_month_heavy_buyer: i64,
    pub device: i64,
    pub current_month_device: i64,
}

/// What the corp dashboard draws; a part the member's role may not read is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DashboardFigures {
    /// The last 30 days, every day present (0 where nothing was sold), oldest first.
    pub sales_by_day: Option<Vec<DayTotal>>,
    /// Sales per country (or province in China), most first.
    pub sales_by_region: Option<Vec<(String, i64)>>,
    pub heavy_buyers: Option<HeavyBuyerSummary>,
    /// Devices online, and in all.
    pub devices_online: Option<(i64, i64)>,
    /// The mall's takings per day of payment (fen), the last 30 days, refunded orders left out.
    pub mall_sales_by_day: Option<Vec<DayTotal>>,
    /// Commission earned per day (fen), the last 30 days, reversals left out.
    pub commission_by_day: Option<Vec<DayTotal>>,
}

/// Each of `days`, with its total from `known` (0 where none).
pub fn filled(known: &[DayTotal], days: impl IntoIterator<Item = String>) -> Vec<DayTotal> {
    days.into_iter()
        .map(|day| {
            let sale_total = known.iter().find(|d| d.day == day).map_or(0, |d| d.sale_total);
            DayTotal { day, sale_total }
        })
        .collect()
}
