//! The reference control plane driven over HTTP, one module per surface: a
//! single test binary (linked once) instead of one per file. `kit` starts a
//! reference on 127.0.0.1:0 and scripted agents that record every dispatch.

mod kit;

mod admission;
mod async_pool;
mod callbacks;
mod connections;
mod deep;
mod devcp;
mod dispatch_pool;
mod dispatch_races;
mod durability;
mod execute;
mod limits;
mod nodes;
mod properties;
mod reads;
mod replay;
mod restart;
mod restart_wait;
mod serve_checks;
mod shutdown;
