package raft

// kvStore is the replicated state machine: a key-value store with get, put
// and append, which remembers the last command of each client so that a
// retried command is not executed twice (§8: "the state machine tracks the
// latest serial number processed for each client, along with the associated
// response").
type kvStore struct {
	data     map[string]string
	sessions map[string]session
}

type session struct {
	seq    uint64
	result string
}

func newKV() kvStore {
	return kvStore{data: map[string]string{}, sessions: map[string]session{}}
}

// apply executes a command and returns its result: the value a get read.
func (kv *kvStore) apply(c Command) string {
	if s, ok := kv.sessions[c.Client]; ok && c.Seq <= s.seq {
		return s.result // already executed
	}
	result := ""
	switch c.Op {
	case "put":
		kv.data[c.Key] = c.Value
	case "append":
		kv.data[c.Key] += c.Value
	default:
		result = kv.data[c.Key]
	}
	kv.sessions[c.Client] = session{seq: c.Seq, result: result}
	return result
}

// done returns the result of a command this state machine has executed.
func (kv *kvStore) done(c Command) (string, bool) {
	s, ok := kv.sessions[c.Client]
	if !ok || s.seq != c.Seq {
		return "", false
	}
	return s.result, true
}

// get reads a key without going through the log.
func (kv *kvStore) get(key string) string { return kv.data[key] }
