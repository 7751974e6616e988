// Package contract is the store contract suite: what Loa needs of its database
// engine before several Loa processes may share one database — increments that
// keep every update, conditional updates that succeed only once per revision,
// unique keys, the jobs' lease with one holder, and two processes writing the
// reach records and rollups of one unit and month. It runs against any engine:
//
//	LOA_CONTRACT_URI='mongodb://host1,host2,host3/?replicaSet=rs0&w=majority' go test ./app/database/contract -v
//	LOA_CONTRACT_POSTGRES='postgres://user:pass@127.0.0.1:5432/ferretdb' go test ./app/database/contract -v
//
// The second starts FerretDB in the test on that PostgreSQL database. Without
// either, the suite is skipped with a message. README ("Several replicas") records
// what holds on each engine tried.
package contract
