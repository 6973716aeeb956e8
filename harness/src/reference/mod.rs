//! The reference control plane: AgentField v0.1.96's restart / fork / replay
//! contract over HTTP, in memory. Built in its own change; see issue 3.
