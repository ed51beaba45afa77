namespace ClusterManager.Fencing.Lab;

/// <summary>
/// A private sshd inside a test network namespace (key authentication only, its own host key, config and
/// authorized_keys in a temp directory; no system sshd configuration is read or changed). Stands for a remote
/// hypervisor reached over ssh.
/// </summary>
public sealed class SshServer : IDisposable
{
    private readonly int _pid;
    private bool _disposed;

    private SshServer(NetworkNamespace network, string root, int pid)
    {
        Network = network;
        Root = root;
        _pid = pid;
    }

    public NetworkNamespace Network { get; }

    public string Root { get; }

    public string Address => Network.Address;

    public int Port => 22;

    /// <summary>The client's private key (authorized for root).</summary>
    public string IdentityFile => Path.Combine(Root, "id_client");

    /// <summary>A wrapper around ssh that trusts this server's host key without touching ~/.ssh.</summary>
    public string SshWrapper => Path.Combine(Root, "ssh-wrapper");

    public static SshServer Start(NetworkNamespace network)
    {
        var root = Directory.CreateTempSubdirectory("cmt-fence-ssh-").FullName;
        try
        {
            Shell.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(root, "host_key"));
            Shell.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(root, "id_client"));
            File.Copy(Path.Combine(root, "id_client.pub"), Path.Combine(root, "authorized_keys"));
            File.WriteAllText(Path.Combine(root, "sshd_config"), $"""
                ListenAddress {network.Address}
                Port 22
                HostKey {root}/host_key
                AuthorizedKeysFile {root}/authorized_keys
                PidFile {root}/sshd.pid
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                StrictModes no
                UsePAM no

                """);
            File.WriteAllText(Path.Combine(root, "ssh-wrapper"),
                $"#!/bin/sh\nexec ssh -F none -o UserKnownHostsFile={root}/known_hosts -o StrictHostKeyChecking=accept-new \"$@\"\n");
            Shell.Run("chmod", "700", Path.Combine(root, "ssh-wrapper"));
            Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory (Debian's unit creates it)
            var pid = Shell.Start("ip", ["netns", "exec", network.Name, "/usr/sbin/sshd", "-D", "-e", "-f", Path.Combine(root, "sshd_config")],
                Path.Combine(root, "sshd.log"));
            var server = new SshServer(network, root, pid);
            if (!Shell.WaitFor(() => network.Exec("ss", "-Htln").Contains($"{network.Address}:22", StringComparison.Ordinal), TimeSpan.FromSeconds(20)))
            {
                server.Dispose();
                throw new InvalidOperationException("sshd did not listen: " + File.ReadAllText(Path.Combine(root, "sshd.log")));
            }

            return server;
        }
        catch
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }

            throw;
        }
    }

    /// <summary>How many logins sshd accepted so far (from its log).</summary>
    public int AcceptedLogins() =>
        File.ReadAllLines(Path.Combine(Root, "sshd.log")).Count(l => l.Contains("Accepted publickey", StringComparison.Ordinal));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Shell.Stop(_pid, TimeSpan.FromSeconds(3));
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
