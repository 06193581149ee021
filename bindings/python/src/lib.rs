//! The python binding of localmediastream; built out by its own issue.
