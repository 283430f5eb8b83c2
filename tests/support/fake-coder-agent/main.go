// A stand-in for the Coder agent binary, served by the Coder stand-in at /bin/coder-linux-amd64.
// `--version` answers like coder does (Coder's bootstrap script checks for "Coder");
// `agent` opens the agent connection the way Coder's agent does: a websocket upgrade at
// GET {CODER_AGENT_URL}api/v2/workspaceagents/me/rpc with the token from CODER_AGENT_TOKEN in the
// Coder-Session-Token header, telling who it runs as in its User-Agent; it holds the connection
// (speaking no dRPC on it) and stays alive until SIGTERM. (coderd has no HTTP manifest route.)
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "--version" || os.Args[1] == "version") {
		fmt.Println("Coder v2.99.0-fake+standin (fake agent for devcontainer-kit tests)")
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "agent" {
		fmt.Fprintln(os.Stderr, "usage: coder agent | coder --version")
		os.Exit(2)
	}
	url := os.Getenv("CODER_AGENT_URL")
	token := os.Getenv("CODER_AGENT_TOKEN")
	if url == "" || token == "" {
		fmt.Fprintln(os.Stderr, "fake agent: CODER_AGENT_URL and CODER_AGENT_TOKEN must be set")
		os.Exit(1)
	}
	if !strings.HasSuffix(url, "/") {
		url += "/"
	}
	name := "?"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	ua := fmt.Sprintf("fake-coder-agent/1 uid=%d user=%s auth=%s devcontainers=%s home=%s url=%s",
		os.Getuid(), name, os.Getenv("CODER_AGENT_AUTH"), os.Getenv("CODER_AGENT_DEVCONTAINERS_ENABLE"), os.Getenv("HOME"), url)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	// Timeouts for connecting and for the answer only: the upgraded connection then stays open.
	client := &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 5 * time.Second,
	}}
	deadline := time.Now().Add(60 * time.Second)
	var conn io.Closer
	for {
		req, _ := http.NewRequest("GET", url+"api/v2/workspaceagents/me/rpc?version=2.0", nil)
		req.Header.Set("Coder-Session-Token", token)
		req.Header.Set("User-Agent", ua)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "ZmFrZS1jb2Rlci1hZ2VudA==")
		resp, err := client.Do(req)
		if err == nil {
			if resp.StatusCode == http.StatusSwitchingProtocols {
				// Keep the connection open (resp.Body is the upgraded connection), like a connected agent.
				conn = resp.Body
				fmt.Println("fake agent: connected to", url)
				break
			}
			resp.Body.Close()
			fmt.Fprintln(os.Stderr, "fake agent: rpc answered", resp.StatusCode)
		} else {
			fmt.Fprintln(os.Stderr, "fake agent:", err)
		}
		if time.Now().After(deadline) {
			os.Exit(1)
		}
		select {
		case <-stop:
			os.Exit(0)
		case <-time.After(time.Second):
		}
	}
	<-stop
	conn.Close()
	fmt.Println("fake agent: stopping")
}
