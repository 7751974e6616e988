package reach

// WithReachBatch makes imports write reach rows n at a time, so that tests see an
// import stopped between two batches without a file of 100,000 rows.
func WithReachBatch(n int) Option { return func(o *settings) { o.batch = n } }
