//! Per-tenant values kept by one server for a short time: what many pages read and few requests
//! change, where reading it through row-level security costs more than the page itself (the pickers in
//! `web::pickers`, the supervisor's overview in `home::web::dashboard`, the search words in
//! `employers::vocabulary`). Changes made through this
//! server forget the tenant's entry at once; another server sees them within the time to live.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::tenancy::domain::TenantId;

/// Each tenant's value with when it was read.
type Entries<V> = HashMap<TenantId, (Instant, Arc<V>)>;

/// `V` per tenant, with when it was read.
pub struct TenantCache<V> {
    ttl: Duration,
    entries: Arc<Mutex<Entries<V>>>,
}

impl<V> Clone for TenantCache<V> {
    fn clone(&self) -> Self {
        TenantCache {
            ttl: self.ttl,
            entries: self.entries.clone(),
        }
    }
}

impl<V> TenantCache<V> {
    pub fn new(ttl: Duration) -> Self {
        TenantCache {
            ttl,
            entries: Arc::default(),
        }
    }

    /// The tenant's value if it was read less than the time to live ago and `still` holds for it.
    pub fn fresh(&self, tenant: TenantId, still: impl Fn(&V) -> bool) -> Option<Arc<V>> {
        self.lock()
            .get(&tenant)
            .filter(|(at, v)| at.elapsed() < self.ttl && still(v))
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, tenant: TenantId, value: V) -> Arc<V> {
        let value = Arc::new(value);
        self.lock().insert(tenant, (Instant::now(), value.clone()));
        value
    }

    /// Called after a change to what the value holds.
    pub fn forget(&self, tenant: TenantId) {
        self.lock().remove(&tenant);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        // A poisoned lock only means another request panicked mid-insert; the map is still usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_until_it_expires_is_forgotten_or_no_longer_fits() {
        let t = TenantId(uuid::Uuid::nil());
        let cache = TenantCache::new(Duration::from_secs(60));
        assert!(cache.fresh(t, |_: &u32| true).is_none());
        cache.put(t, 7u32);
        assert_eq!(cache.fresh(t, |_| true).as_deref(), Some(&7));
        assert!(cache.fresh(t, |v| *v == 8).is_none());
        cache.forget(t);
        assert!(cache.fresh(t, |_| true).is_none());
        let brief = TenantCache::new(Duration::ZERO);
        brief.put(t, 1u32);
        assert!(brief.fresh(t, |_| true).is_none());
    }
}
