package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// PostgresServer is a PostgreSQL cluster of one test, in a process of its own, for what the
// shared database cannot show: a crash of the server and its restart (crash recovery
// included). Its data survives Crash and Start, as a real server's would.
type PostgresServer struct {
	t    testing.TB
	bin  string // the folder holding initdb and postgres
	dir  string // the socket folder; the cluster is in dir/data
	port int
	cred *syscall.Credential // whom the server runs as: PostgreSQL refuses to run as root
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// StartPostgresServer creates a cluster in a temporary folder with initdb, starts postgres on
// a free loopback port, waits until it answers, and kills it and removes the folder at cleanup.
// It skips the test when initdb or postgres is missing (fails in CI). Run as root, it runs both
// as the "postgres" user, which must exist.
//
// The server runs with fsync off, which costs nothing on a process crash (committed data is
// in the kernel's page cache and the write-ahead log), only on a power loss, which no test
// makes; synchronous_commit stays on, so a commit the server acknowledged survives Crash.
func StartPostgresServer(t testing.TB) *PostgresServer {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		absent(t, "testenv: %v", err)
		t.SkipNow()
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		if cred, err = postgresUser(); err != nil {
			absent(t, "testenv: running as root, PostgreSQL needs another user: %v", err)
			t.SkipNow()
		}
	}
	// Not t.TempDir: its parents are private to root, and the server's user must reach it.
	dir, err := os.MkdirTemp("", "tarjuma-pg-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	s := &PostgresServer{t: t, bin: bin, dir: dir, port: freePort(t), cred: cred}
	initdb := s.command("initdb", "-D", s.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
		"--locale=C", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}
	t.Cleanup(s.Crash) // registered after the folder's removal, so it runs before it
	s.Start()
	return s
}

// postgresBin finds the folder of initdb and postgres: on PATH, else the newest Debian
// installation (/usr/lib/postgresql/<version>/bin), which does not put them on PATH.
func postgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return postgresVersion(a) - postgresVersion(b) })
	for _, d := range slices.Backward(dirs) {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb and postgres are neither on PATH nor in /usr/lib/postgresql/*/bin")
}

// postgresVersion reads the major version out of /usr/lib/postgresql/<version>/bin.
func postgresVersion(bin string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return n
}

// postgresUser is the credential of the "postgres" user.
func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, err
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (s *PostgresServer) data() string { return filepath.Join(s.dir, "data") }

// command prepares one of the server's programs, run as its user in a process group of its
// own, away from the signals a terminal sends the test's.
func (s *PostgresServer) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	// Pdeathsig: a test binary killed before its cleanup leaves no server running (the
	// postmaster's children exit when it does).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// URL is the cluster's database "postgres" over TCP, the same across restarts.
func (s *PostgresServer) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// LogTail returns the end of the server's log, for a failure message.
func (s *PostgresServer) LogTail(n int) string {
	raw, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Start starts the server (again, after Crash) and waits until it answers queries, crash
// recovery done; it does nothing while the server runs.
func (s *PostgresServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	logFile, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatalf("testenv: %v", err)
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := s.command("postgres", "-D", s.data(), "-p", strconv.Itoa(s.port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=off",
		"-c", "full_page_writes=off", "-c", "shared_buffers=64MB")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("testenv: start postgres: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(s.done)
	db, err := sql.Open("pgx", s.URL())
	if err != nil {
		s.t.Fatalf("testenv: %v", err)
	}
	defer db.Close()
	err = poll(60*time.Second, 20*time.Millisecond, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		err := db.PingContext(ctx)
		if err != nil {
			select {
			case <-s.done:
				s.cmd = nil
				s.t.Fatalf("testenv: postgres exited: %v\n%s", cmd.ProcessState, s.LogTail(20))
			default:
			}
		}
		return err
	})
	if err != nil {
		s.t.Fatalf("testenv: postgres on port %d does not answer: %v\n%s", s.port, err, s.LogTail(20))
	}
}

// Crash SIGKILLs the server and every process of it at once, as a crash of its host would
// leave it, and returns once they are all gone: the next Start runs crash recovery. It does
// nothing when the server is stopped.
//
// PostgreSQL puts each backend in a session of its own (setsid), so killing the postmaster's
// process group misses them; and a backend still attached to the shared memory makes the next
// postmaster refuse to start. So the postmaster is stopped first, which keeps it from forking,
// its children are read from /proc, and all of them are killed and waited for.
func (s *PostgresServer) Crash() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	pid := s.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGSTOP)
	children := childrenOf(pid)
	for _, p := range append(children, pid) {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			s.t.Errorf("testenv: kill postgres process %d: %v", p, err)
		}
	}
	<-s.done
	s.cmd = nil
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range children {
		for running(p) {
			if time.Now().After(deadline) {
				s.t.Errorf("testenv: postgres process %d outlived SIGKILL", p)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// childrenOf lists the processes whose parent is pid (Linux /proc).
func childrenOf(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(p); ok && ppid == pid {
			out = append(out, p)
		}
	}
	return out
}

// running reports whether process p exists and is not a zombie; a zombie has let go of the
// shared memory already.
func running(p int) bool {
	_, state, ok := procStat(p)
	return ok && state != "Z"
}

// procStat reads a process's parent and state from /proc/<p>/stat:
// "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
func procStat(p int) (ppid int, state string, ok bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
	if err != nil {
		return 0, "", false
	}
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return 0, "", false
	}
	fields := strings.Fields(string(raw[i+1:]))
	if len(fields) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	return ppid, fields[0], err == nil
}
