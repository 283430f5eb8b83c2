module devcontainer-kit/fake-coder-agent

go 1.22
