//! Proptest strategies for the XML types.
