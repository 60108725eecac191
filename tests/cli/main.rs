//! The one integration-test binary: runs the real `kpi` binary in temporary folders.

mod support;

mod smoke;
