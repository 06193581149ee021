//! The node binding of localmediastream; built out by its own issue.
