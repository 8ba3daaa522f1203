//! Sans-IO wire codec for RVP.
