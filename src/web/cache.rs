//! Per-tenant values kept by one server for a short time: what many pages read and few requests
//! change, where reading it through row-level security costs more than the page itself (the pickers in
//! `web::pickers`, the supervisor's overview in `home::web::dashboard`, the search words in
//! `employers::vocabulary`, the letters pipeline in `letters::web::pipeline`). Changes made through
//! this server forget the tenant's entries at once, and a value read while such a change committed is
//! not kept (`put_read_for`); another server sees changes within the time to live.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::tenancy::domain::TenantId;

/// Each tenant's values, by key, with when they were read; and how often each tenant's values were
/// forgotten, so that a value read before a change is not kept after it.
struct Entries<K, V> {
    values: HashMap<(TenantId, K), (Instant, Arc<V>)>,
    forgotten: HashMap<TenantId, u64>,
}

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Entries {
            values: HashMap::new(),
            forgotten: HashMap::new(),
        }
    }
}

/// The most values kept at once; reaching it sweeps out the expired ones.
const MAX_ENTRIES: usize = 1024;

/// `V` per tenant, with when it was read; with a key `K`, several per tenant (one per filter of a
/// page, say), all forgotten together.
pub struct TenantCache<V, K = ()> {
    ttl: Duration,
    entries: Arc<Mutex<Entries<K, V>>>,
}

impl<V, K> Clone for TenantCache<V, K> {
    fn clone(&self) -> Self {
        TenantCache {
            ttl: self.ttl,
            entries: self.entries.clone(),
        }
    }
}

/// Where a tenant's values stood when a read began (`TenantCache::before_reading`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

impl<V, K: Eq + Hash> TenantCache<V, K> {
    pub fn new(ttl: Duration) -> Self {
        TenantCache {
            ttl,
            entries: Arc::default(),
        }
    }

    /// The tenant's value for `key` if it was read less than the time to live ago and `still` holds
    /// for it.
    pub fn fresh_for(
        &self,
        tenant: TenantId,
        key: K,
        still: impl Fn(&V) -> bool,
    ) -> Option<Arc<V>> {
        self.lock()
            .values
            .get(&(tenant, key))
            .filter(|(at, v)| at.elapsed() < self.ttl && still(v))
            .map(|(_, v)| v.clone())
    }

    pub fn put_for(&self, tenant: TenantId, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        self.insert(&mut self.lock(), tenant, key, value.clone());
        value
    }

    /// Taken before reading a value that `put_read_for` may keep.
    pub fn before_reading(&self, tenant: TenantId) -> Generation {
        Generation(self.lock().forgotten.get(&tenant).copied().unwrap_or(0))
    }

    /// Keeps `value` unless the tenant's values were forgotten since `read`: a change that committed
    /// while the value was being read may be missing from it.
    pub fn put_read_for(&self, tenant: TenantId, key: K, read: Generation, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut entries = self.lock();
        if entries.forgotten.get(&tenant).copied().unwrap_or(0) == read.0 {
            self.insert(&mut entries, tenant, key, value.clone());
        }
        value
    }

    /// Called after a change to what the values hold: every key of the tenant.
    pub fn forget(&self, tenant: TenantId) {
        let mut entries = self.lock();
        entries.values.retain(|(t, _), _| *t != tenant);
        *entries.forgotten.entry(tenant).or_default() += 1;
    }

    /// Keeps at most `MAX_ENTRIES` values: past that (many filters asked for at once) a value is
    /// served but not kept, so memory stays bounded whatever requests come in.
    fn insert(&self, entries: &mut Entries<K, V>, tenant: TenantId, key: K, value: Arc<V>) {
        if entries.values.len() >= MAX_ENTRIES {
            entries.values.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.values.len() >= MAX_ENTRIES {
                return;
            }
        }
        entries
            .values
            .insert((tenant, key), (Instant::now(), value));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        // A poisoned lock only means another request panicked mid-insert; the map is still usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<V> TenantCache<V> {
    /// The tenant's value if it was read less than the time to live ago and `still` holds for it.
    pub fn fresh(&self, tenant: TenantId, still: impl Fn(&V) -> bool) -> Option<Arc<V>> {
        self.fresh_for(tenant, (), still)
    }

    pub fn put(&self, tenant: TenantId, value: V) -> Arc<V> {
        self.put_for(tenant, (), value)
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

    #[test]
    fn keyed_values_are_kept_apart_and_forgotten_with_their_tenant() {
        let (a, b) = (TenantId(uuid::Uuid::nil()), TenantId(uuid::Uuid::max()));
        let cache = TenantCache::new(Duration::from_secs(60));
        cache.put_for(a, "overdue", 1u32);
        cache.put_for(a, "all", 2);
        cache.put_for(b, "all", 3);
        assert_eq!(cache.fresh_for(a, "overdue", |_| true).as_deref(), Some(&1));
        assert_eq!(cache.fresh_for(a, "all", |_| true).as_deref(), Some(&2));
        cache.forget(a);
        assert!(cache.fresh_for(a, "overdue", |_| true).is_none());
        assert!(cache.fresh_for(a, "all", |_| true).is_none());
        assert_eq!(cache.fresh_for(b, "all", |_| true).as_deref(), Some(&3));
    }

    #[test]
    fn a_value_read_while_a_change_was_made_is_not_kept() {
        let t = TenantId(uuid::Uuid::nil());
        let cache = TenantCache::new(Duration::from_secs(60));
        let before = cache.before_reading(t);
        // A change commits and forgets the tenant while the value is being read.
        cache.forget(t);
        assert_eq!(*cache.put_read_for(t, "all", before, 1u32), 1);
        assert!(cache.fresh_for(t, "all", |_| true).is_none());
        let after = cache.before_reading(t);
        cache.put_read_for(t, "all", after, 2);
        assert_eq!(cache.fresh_for(t, "all", |_| true).as_deref(), Some(&2));
    }

    #[test]
    fn no_more_than_the_bound_is_kept() {
        let t = TenantId(uuid::Uuid::nil());
        let cache = TenantCache::new(Duration::from_secs(60));
        for k in 0..MAX_ENTRIES + 10 {
            assert_eq!(*cache.put_for(t, k, k), k);
        }
        assert_eq!(cache.lock().values.len(), MAX_ENTRIES);
        assert!(cache.fresh_for(t, MAX_ENTRIES + 5, |_| true).is_none());
        assert!(cache.fresh_for(t, 0, |_| true).is_some());
    }
}
