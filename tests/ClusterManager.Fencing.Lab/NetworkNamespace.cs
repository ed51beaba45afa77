using System.Globalization;

namespace ClusterManager.Fencing.Lab;

/// <summary>
/// A network namespace created for one test run (<c>cmt-fence-&lt;random&gt;</c>) joined to the root namespace by a
/// veth pair on a random /29 of 198.19.0.0/16: the root side is .1, the namespace side .2, and .3 is an address in
/// the namespace's subnet where no host answers (an unreachable BMC). Disposing deletes the namespace, which also
/// removes the veth pair.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private bool _disposed;

    private NetworkNamespace(string name, string rootLink, string hostAddress, string nsAddress, string deadAddress)
    {
        Name = name;
        RootLink = rootLink;
        HostAddress = hostAddress;
        Address = nsAddress;
        UnreachableAddress = deadAddress;
    }

    public string Name { get; }

    public string RootLink { get; }

    /// <summary>The root namespace's address on the link.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's address: daemons inside listen here.</summary>
    public string Address { get; }

    /// <summary>An address in the link's subnet that nothing answers.</summary>
    public string UnreachableAddress { get; }

    public static NetworkNamespace Create()
    {
        var suffix = Convert.ToHexString(Guid.NewGuid().ToByteArray())[..6].ToLowerInvariant();
        var name = $"cmt-fence-{suffix}";
        var rootLink = $"cmtf{suffix}a";
        var nsLink = $"cmtf{suffix}b";
        var used = Shell.Run("ip", "-4", "-o", "addr", "show");
        while (true)
        {
            var third = Random.Shared.Next(0, 256);
            var fourth = Random.Shared.Next(0, 32) * 8;
            var prefix = string.Create(CultureInfo.InvariantCulture, $"198.19.{third}.");
            var candidate = new NetworkNamespace(name, rootLink,
                prefix + (fourth + 1), prefix + (fourth + 2), prefix + (fourth + 3));
            if (!used.Contains(candidate.HostAddress + "/", StringComparison.Ordinal) &&
                !used.Contains(candidate.Address + "/", StringComparison.Ordinal))
            {
                candidate.Setup(nsLink);
                return candidate;
            }
        }
    }

    /// <summary>Runs a command inside the namespace and returns its stdout (throws on failure).</summary>
    public string Exec(params string[] command) => Shell.Run("ip", ["netns", "exec", Name, .. command]);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Shell.Run("ip", ["netns", "del", Name], check: false);
        Shell.Run("ip", ["link", "del", RootLink], check: false);
    }

    private void Setup(string nsLink)
    {
        try
        {
            Shell.Run("ip", "netns", "add", Name);
            Shell.Run("ip", "link", "add", RootLink, "type", "veth", "peer", "name", nsLink, "netns", Name);
            Shell.Run("ip", "addr", "add", HostAddress + "/29", "dev", RootLink);
            Shell.Run("ip", "link", "set", RootLink, "up");
            Exec("ip", "addr", "add", Address + "/29", "dev", nsLink);
            Exec("ip", "link", "set", nsLink, "up");
            Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }
}
