//! Road and path networks: graph construction, compact storage and snapping.
//!
//! **Invariant:** no routing queries here; `network` builds and stores graphs, `routing`
//! searches them.

pub mod csr;
