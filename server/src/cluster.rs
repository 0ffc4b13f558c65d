//! Cluster mode (`--database-url postgres://…` with `--nats-url`): several nodes serve the
//! same cafés. Each café has one owner node at a time, the holder of its Postgres lease;
//! only the owner runs the café's actor (`crate::cafe`) and writes, with the lease's fencing
//! token on every append, so a stale owner's writes are refused by the database.
//!
//! - `owner.rs`: beside an owned café's actor, a task answering the other nodes' requests
//!   (attach, command, join, detach) and one renewing the lease and saying it is alive.
//! - `relay.rs`: on every other node a café with local sockets has a relay instead of an
//!   actor. It looks like an actor to the sockets (same [`crate::cafe::Msg`]s), forwards
//!   what they send to the owner and relays the owner's committed batches to them. It
//!   takes the café over when the owner goes silent past its lease.
//!
//! Subjects, under `--nats-prefix` (default `cafe`): `<prefix>.cafe.<id>.req` (requests to
//! the owner, answered on the requester's inbox) and `<prefix>.cafe.<id>.out` (what the
//! owner publishes: committed batches, heartbeats, a goodbye when it lets go). Messages are
//! JSON ([`Request`], [`Reply`], [`Broadcast`]); the frames inside are the bytes clients
//! get, encoded once by the owner.

pub mod owner;
pub mod relay;

use crate::store::Lease;
use cafe_shared::{
    Audience, CafeId, Command, ErrorCode, Grant, Location, PersonId, Rejection, ResumePoint, Role,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a node needs to take part in a cluster.
pub struct Cluster {
    pub node: String,
    pub nats: async_nats::Client,
    pub prefix: String,
    /// Lease duration: an owner silent this long is replaced.
    pub lease: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("NATS at {0}: {1}")]
    Connect(String, String),
    #[error("cluster mode needs a postgres:// database URL (SQLite is one node's file)")]
    NotPostgres,
}

impl Cluster {
    pub async fn connect(
        url: &str,
        node: Option<String>,
        prefix: &str,
        lease: Duration,
    ) -> Result<Self, ClusterError> {
        let nats = async_nats::connect(url)
            .await
            .map_err(|e| ClusterError::Connect(url.to_owned(), e.to_string()))?;
        let node = node.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
            let bytes: [u8; 6] = rand::random();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        });
        Ok(Self {
            node,
            nats,
            prefix: prefix.trim_matches('.').to_owned(),
            lease: lease.max(Duration::from_millis(200)),
        })
    }

    pub fn requests(&self, cafe: &CafeId) -> String {
        format!("{}.cafe.{}.req", self.prefix, cafe.0)
    }

    pub fn out(&self, cafe: &CafeId) -> String {
        format!("{}.cafe.{}.out", self.prefix, cafe.0)
    }

    /// How often an owner renews its lease (and says it is alive).
    pub fn renew_every(&self) -> Duration {
        self.lease / 3
    }

    pub async fn publish<T: Serialize>(&self, subject: String, msg: &T) {
        let Ok(bytes) = serde_json::to_vec(msg) else {
            return;
        };
        if let Err(e) = self.nats.publish(subject, bytes.into()).await {
            tracing::warn!(error = %e, "NATS publish failed");
        }
    }
}

/// A request to a café's owner; `n` numbers it for the requester.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub n: u64,
    pub body: T,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// A socket on `node` says hello; the owner answers with its welcome and catch-up.
    Attach {
        node: String,
        conn: u64,
        person: Option<PersonId>,
        /// Absent from nodes of before access links: they had none to give.
        #[serde(default)]
        grant: Option<Grant>,
        resume: Option<ResumePoint>,
    },
    /// That socket left (no answer).
    Detach { node: String, conn: u64 },
    Command {
        person: PersonId,
        id: String,
        command: Command,
    },
    Join {
        name: String,
        role: Role,
        location: Location,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    Welcome(RemoteWelcome),
    Refused(ErrorCode, String),
    /// A command's `ack`/`reject` frame; `seq` for an ack (the relay holds it until the
    /// socket has the events up to it, so a client sees its own event first).
    Outcome {
        frame: String,
        seq: Option<u64>,
    },
    Joined(PersonId),
}

impl Reply {
    pub fn refused(r: Rejection) -> Self {
        Reply::Refused(r.code, r.message)
    }
}

/// An attach answered by the owner: the frames a new socket gets (welcome, then a
/// snapshot or the missed events) as of `seq`, under the owner's lease `token`.
#[derive(Debug, Serialize, Deserialize)]
pub struct RemoteWelcome {
    pub token: u64,
    pub seq: u64,
    pub audience: Audience,
    pub frames: Vec<String>,
}

/// What a café's owner publishes.
#[derive(Debug, Serialize, Deserialize)]
pub enum Broadcast {
    Batch(BusBatch),
    /// Every lease renewal: the owner lives, and has published up to `seq`.
    Alive {
        token: u64,
        seq: u64,
    },
    /// The owner lets the café go (shutdown, idle): someone may take it at once.
    Leaving {
        token: u64,
    },
    /// A `reactions` frame for the projector and facilitators (transient: no seq).
    Reactions {
        token: u64,
        frame: String,
    },
}

/// One committed batch, encoded once per audience.
#[derive(Debug, Serialize, Deserialize)]
pub struct BusBatch {
    pub token: u64,
    pub epoch: u64,
    /// Seqs of the batch's first and last events.
    pub first: u64,
    pub last: u64,
    /// The frames for everyone of an audience whom no event of the batch names.
    pub public: Vec<String>,
    pub facilitator: Vec<String>,
    /// Only when an event names someone (a private projection, a view that changed shape,
    /// a removal): every event of the batch, so a named socket's list is built event by
    /// event exactly as the owner builds it for its own sockets.
    pub named: Vec<NamedEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedEntry {
    pub seq: u64,
    pub public: Option<String>,
    pub facilitator: Option<String>,
    pub personal: Option<(PersonId, Option<String>)>,
    /// This person's view changed shape: their snapshot and their audience from now on.
    pub snapshot: Option<(PersonId, Audience, String)>,
    pub removed: Option<PersonId>,
    /// The close message for `removed` (a removal, or their link's new secret); older
    /// nodes leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl NamedEntry {
    pub fn names(&self, p: PersonId) -> bool {
        self.personal.as_ref().is_some_and(|(x, _)| *x == p)
            || self.snapshot.as_ref().is_some_and(|(x, _, _)| *x == p)
            || self.removed == Some(p)
    }

    pub fn pick(&self, person: Option<PersonId>, audience: Audience) -> Option<&String> {
        if let (Some(p), Some((cp, bytes))) = (person, &self.personal) {
            if p == *cp {
                return bytes.as_ref();
            }
        }
        match audience {
            Audience::Facilitator => self.facilitator.as_ref(),
            _ => self.public.as_ref(),
        }
    }
}

/// An owned café: the lease and where to say what it commits.
#[derive(Clone)]
pub struct Owned {
    pub cluster: std::sync::Arc<Cluster>,
    pub lease: Lease,
    /// Cancelled when the lease is lost: the actor stops at once.
    pub stop: tokio_util::sync::CancellationToken,
    /// The last seq published, for the heartbeats.
    pub published: std::sync::Arc<std::sync::atomic::AtomicU64>,
}
