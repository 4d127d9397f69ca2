pub mod dial_form;
pub mod peer_table;
pub mod trim_log;
