pub mod dial_form;
pub mod peer_table;
