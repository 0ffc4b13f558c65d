//! Finds a café's actor: a `DashMap<CafeId, CafeHandle>`, loading cafés lazily from the store
//! on first use (snapshot + events after it) and creating new ones.
//!
//! In cluster mode a café is loaded only by the node that takes its lease; on the other
//! nodes its handle leads to a relay (`crate::cluster::relay`) to the owner. A relay that
//! takes the lease over hands its place in the map to the café's actor.

use crate::cafe::{now_millis, Actor, ActorInit, CafeHandle};
use crate::cluster::relay::{Relay, RelayEnd};
use crate::cluster::{owner, Cluster, Owned};
use crate::config::Tuning;
use crate::metrics::Metrics;
use crate::store::{CafeRow, Lease, LoadedCafe, Store, StoreError, StoredEvent};
use base64::Engine;
use cafe_shared::{
    CafeId, CafeState, Event, Grant, JoinCode, Millis, PersonId, Rejection, SystemCommand,
};
use dashmap::DashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub struct Registry {
    inner: Arc<Inner>,
}

pub struct Inner {
    cafes: DashMap<CafeId, CafeHandle>,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    tuning: Tuning,
    /// Serialises loads so that two first visitors do not start two writers for one café.
    load_lock: tokio::sync::Mutex<()>,
    actors: TaskTracker,
    stop: CancellationToken,
    cluster: Option<Arc<Cluster>>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{0}")]
    Rejected(Rejection),
    #[error("{0}")]
    Import(crate::import::ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new café: its actor, its join code and the organiser's person id.
pub struct Created {
    pub handle: CafeHandle,
    pub code: JoinCode,
    pub organiser: Option<PersonId>,
    /// The organiser's access link, `{link}.{secret}`, and what a token from it names.
    /// Only here, once: the café keeps the hash.
    pub organiser_key: Option<(String, Grant)>,
}

/// Epochs stay below 2^53 so that JavaScript clients read them exactly.
fn new_epoch() -> u64 {
    rand::random::<u64>() & ((1 << 53) - 1)
}

fn new_cafe_id() -> CafeId {
    let bytes: [u8; 12] = rand::random();
    CafeId(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn new_code() -> Result<JoinCode, StoreError> {
    let bytes: [u8; 6] = rand::random();
    JoinCode::from_random(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl std::ops::Deref for Registry {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl Registry {
    pub fn new(
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        tuning: Tuning,
        cluster: Option<Arc<Cluster>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                cafes: DashMap::new(),
                store,
                metrics,
                tuning,
                load_lock: tokio::sync::Mutex::new(()),
                actors: TaskTracker::new(),
                stop: CancellationToken::new(),
                cluster,
            }),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.cluster.as_ref()
    }

    /// The café's actor or relay, loading it if needed. `None`: no such café.
    pub async fn get(&self, id: &CafeId) -> Result<Option<CafeHandle>, StoreError> {
        Inner::get(&self.inner, id).await
    }

    /// Stops every actor (each writes a final snapshot) and waits for them.
    pub async fn shutdown(&self) {
        self.stop.cancel();
        self.actors.close();
        self.actors.wait().await;
    }
}

impl Inner {
    fn live(&self, id: &CafeId) -> Option<CafeHandle> {
        let h = self.cafes.get(id).map(|h| h.clone())?;
        if h.is_closed() {
            // Unloaded (idle) or failed: forget it; the caller loads it again.
            self.cafes.remove_if(id, |_, h| h.is_closed());
            return None;
        }
        Some(h)
    }

    /// Starts the café's actor; in cluster mode with the lease this node holds, beside
    /// the tasks that answer the other nodes and keep the lease.
    fn spawn(self: &Arc<Self>, loaded: LoadedCafe, lease: Option<Lease>) -> CafeHandle {
        let owned = match (&self.cluster, lease) {
            (Some(c), Some(lease)) => Some(Owned {
                cluster: c.clone(),
                lease,
                stop: CancellationToken::new(),
                published: Arc::new(AtomicU64::new(0)),
            }),
            _ => None,
        };
        let (actor, handle) = Actor::new(ActorInit {
            loaded,
            store: self.store.clone(),
            metrics: self.metrics.clone(),
            tuning: self.tuning.clone(),
            owned: owned.clone(),
        });
        match owned {
            None => {
                self.actors.spawn(actor.run(self.stop.clone()));
            }
            Some(o) => {
                let (store, id) = (self.store.clone(), handle.id.clone());
                tracing::info!(cafe = %id, node = %o.cluster.node, token = o.lease.token, "owning the café");
                self.actors.spawn(owner::serve(o.clone(), handle.clone()));
                self.actors.spawn(owner::keep_lease(
                    o.clone(),
                    store.clone(),
                    id.clone(),
                    handle.clone(),
                ));
                let stop = self.stop.clone();
                self.actors.spawn(async move {
                    actor.run(stop).await;
                    // Not after stepping down: the café is someone else's already.
                    if !o.stop.is_cancelled() {
                        owner::let_go(&o, &store, &id).await;
                    }
                });
            }
        }
        self.cafes.insert(handle.id.clone(), handle.clone());
        handle
    }

    /// Cluster mode: a relay to the café's owner, which becomes the owner when it takes
    /// the lease over.
    fn spawn_relay(self: &Arc<Self>, cluster: &Arc<Cluster>, id: &CafeId) -> CafeHandle {
        let (handle, rx) = CafeHandle::channel(id.clone(), self.tuning.cafe_queue);
        let mut relay = Relay::new(
            id.clone(),
            cluster.clone(),
            self.store.clone(),
            rx,
            self.tuning.idle_unload,
        );
        let (inner, stop, id) = (self.clone(), self.stop.clone(), id.clone());
        self.actors.spawn(async move {
            if let RelayEnd::TookOver(lease) = relay.run(stop).await {
                // The relay's queue stays open meanwhile: nobody starts a second loader.
                let _guard = inner.load_lock.lock().await;
                match inner.load(&id).await {
                    Ok(Some(loaded)) => {
                        inner.metrics.took_over.inc();
                        inner.spawn(loaded, Some(lease));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(cafe = %id, error = %e, "loading a café taken over failed");
                        let _ = inner
                            .store
                            .release_lease(&id, &lease.owner, lease.token)
                            .await;
                    }
                }
            }
            drop(relay);
        });
        self.cafes.insert(handle.id.clone(), handle.clone());
        handle
    }

    async fn load(&self, id: &CafeId) -> Result<Option<LoadedCafe>, StoreError> {
        let loaded = self.store.load(id, self.tuning.ring_events as u64).await?;
        if let Some(l) = &loaded {
            tracing::debug!(cafe = %id, events = l.events.len(), "café loaded");
        }
        Ok(loaded)
    }

    async fn get(self: &Arc<Self>, id: &CafeId) -> Result<Option<CafeHandle>, StoreError> {
        if let Some(h) = self.live(id) {
            return Ok(Some(h));
        }
        if self.stop.is_cancelled() {
            return Err(StoreError::Db("the server is shutting down".into()));
        }
        let _guard = self.load_lock.lock().await;
        if let Some(h) = self.live(id) {
            return Ok(Some(h));
        }
        let Some(cluster) = &self.cluster else {
            return Ok(self.load(id).await?.map(|l| self.spawn(l, None)));
        };
        match self
            .store
            .acquire_lease(id, &cluster.node, cluster.lease)
            .await?
        {
            Some(lease) => match self.load(id).await? {
                Some(l) => Ok(Some(self.spawn(l, Some(lease)))),
                None => {
                    self.store
                        .release_lease(id, &cluster.node, lease.token)
                        .await?;
                    Ok(None)
                }
            },
            None => Ok(Some(self.spawn_relay(cluster, id))),
        }
    }
}

impl Registry {
    pub async fn by_code(&self, code: &JoinCode) -> Result<Option<CafeHandle>, StoreError> {
        match self.store.cafe_by_code(code).await? {
            Some(row) => self.get(&row.id).await,
            None => Ok(None),
        }
    }

    /// Creates a café whose history begins with the events `make` returns for the id and
    /// join code chosen here (a `create_cafe` decision, or an imported log). `make` runs
    /// once: on a join-code collision the new id and code are written into `cafe_created`
    /// instead, so an import's log is never held twice.
    pub async fn create(
        &self,
        make: impl FnOnce(CafeId, JoinCode, Millis) -> Result<Vec<Event>, CreateError>,
    ) -> Result<Created, CreateError> {
        let mut id = new_cafe_id();
        let mut code = new_code()?;
        let now = now_millis();
        let mut stored: Vec<StoredEvent> = make(id.clone(), code.clone(), now)?
            .into_iter()
            .enumerate()
            .map(|(i, event)| StoredEvent {
                seq: i as u64 + 1,
                at: now,
                command: None,
                event,
            })
            .collect();
        let mut state = CafeState::default();
        for e in &stored {
            state.apply(&e.event);
        }
        let organiser = state.organiser();
        // Every new café (also an import) gets its organiser's access link, in its first
        // batch: the link that opens it on another device.
        let mut organiser_key = None;
        if organiser.is_some() {
            let (secret, hash) = crate::auth::new_link_secret();
            let events = state
                .decide_system(now, &SystemCommand::OrganiserLink { hash })
                .map_err(CreateError::Rejected)?;
            for event in events {
                if let Event::LinkIssued { link } = &event {
                    let grant = Grant {
                        link: link.id,
                        generation: link.generation,
                    };
                    organiser_key = Some((format!("{}.{secret}", link.id), grant));
                }
                state.apply(&event);
                stored.push(StoredEvent {
                    seq: stored.len() as u64 + 1,
                    at: now,
                    command: None,
                    event,
                });
            }
        }
        drop(state);
        let mut last = None;
        // Join codes are short; on the rare collision pick another.
        for attempt in 0..8 {
            if attempt > 0 {
                id = new_cafe_id();
                code = new_code()?;
                if let Some(Event::CafeCreated { info, .. }) =
                    stored.first_mut().map(|e| &mut e.event)
                {
                    info.id = id.clone();
                    info.code = code.clone();
                }
            }
            let row = CafeRow {
                id: id.clone(),
                code: code.clone(),
                epoch: new_epoch(),
                created_at: now,
            };
            match self.store.create_cafe(&row, None, &stored).await {
                Ok(()) => {
                    let lease = match &self.cluster {
                        Some(c) => self.store.acquire_lease(&id, &c.node, c.lease).await?,
                        None => None,
                    };
                    let handle = self.inner.spawn(
                        LoadedCafe {
                            row,
                            snapshot: None,
                            events: stored,
                            commands: Vec::new(),
                            newest_snapshot: 0,
                        },
                        lease,
                    );
                    return Ok(Created {
                        handle,
                        code,
                        organiser,
                        organiser_key,
                    });
                }
                Err(StoreError::Conflict(m)) => last = Some(StoreError::Conflict(m)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(last
            .unwrap_or_else(|| StoreError::Conflict("no free join code".into()))
            .into())
    }

    /// The decision that starts a new café.
    pub fn create_events(now: Millis, cmd: &SystemCommand) -> Result<Vec<Event>, CreateError> {
        CafeState::default()
            .decide_system(now, cmd)
            .map_err(CreateError::Rejected)
    }
}
