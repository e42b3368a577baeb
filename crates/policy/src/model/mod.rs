//! The Graph `conditionalAccessPolicy` model and its companions (named locations, authentication strengths).
