//! How often each device of a backend was opened and closed, for the whole
//! process: a backend made by one `MediaDevices` and a test looking with
//! another see the same counts (tests prove release with them).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

/// How often a device was opened and closed (a driver made and released).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeviceUsage {
    pub opens: u64,
    pub closes: u64,
}

impl DeviceUsage {
    /// Whether some driver holds the device now.
    pub fn is_open(&self) -> bool {
        self.opens > self.closes
    }
}

/// Open/close counts by device id; meant for a `static`.
pub struct UsageTable {
    table: OnceLock<Mutex<BTreeMap<String, DeviceUsage>>>,
}

impl UsageTable {
    pub const fn new() -> UsageTable {
        UsageTable {
            table: OnceLock::new(),
        }
    }

    fn map(&self) -> MutexGuard<'_, BTreeMap<String, DeviceUsage>> {
        self.table
            .get_or_init(|| Mutex::new(BTreeMap::new()))
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Update the counts of `device_id` (made at zero on first use).
    pub fn count(&self, device_id: &str, f: impl FnOnce(&mut DeviceUsage)) {
        f(self.map().entry(device_id.to_string()).or_default());
    }

    /// The counts of `device_id`, if it was ever counted.
    pub fn get(&self, device_id: &str) -> Option<DeviceUsage> {
        self.map().get(device_id).copied()
    }
}

impl Default for UsageTable {
    fn default() -> UsageTable {
        UsageTable::new()
    }
}
