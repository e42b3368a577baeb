//! Device filter rules (`conditions.devices.deviceFilter.rule`): grammar and evaluation.
