using System.Diagnostics;
using System.Text.Json;

namespace ClusterManager.Agents.Tests.Support;

/// <summary>
/// Network namespaces on one bridge: each node namespace has <c>eth0</c> (a veth whose peer sits on bridge
/// <c>br0</c> in the lab's own bridge namespace) with address <c>198.18.SUBNET.N/24</c>. Names carry a random
/// <c>cmt-ag-XXXX-</c> prefix; everything is removed on dispose.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    private readonly List<string> _namespaces = [];

    private NetnsLab(string prefix, int subnet)
    {
        Prefix = prefix;
        Subnet = subnet;
    }

    public string Prefix { get; }

    public int Subnet { get; }

    public string Bridge => Prefix + "br";

    public string Node(char name) => Prefix + name;

    public string Address(int host) => $"198.18.{Subnet}.{host}";

    public static NetnsLab Create(params char[] nodes)
    {
        var prefix = $"cmt-ag-{Random.Shared.Next(0x10000):x4}-";
        var lab = new NetnsLab(prefix, 100 + Random.Shared.Next(100));
        try
        {
            lab.Add(lab.Bridge);
            Run("ip", "-n", lab.Bridge, "link", "add", "br0", "type", "bridge");
            Run("ip", "-n", lab.Bridge, "link", "set", "br0", "up");
            var host = 1;
            foreach (var node in nodes)
            {
                var ns = lab.Node(node);
                lab.Add(ns);
                Run("ip", "-n", lab.Bridge, "link", "add", "p" + node, "type", "veth", "peer", "name", "eth0", "netns", ns);
                Run("ip", "-n", lab.Bridge, "link", "set", "p" + node, "master", "br0", "up");
                Run("ip", "-n", ns, "link", "set", "lo", "up");
                Run("ip", "-n", ns, "link", "set", "eth0", "up");
                Run("ip", "-n", ns, "addr", "add", lab.Address(host++) + "/24", "dev", "eth0");
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public string Mac(char node) =>
        JsonDocument.Parse(Run("ip", "-n", Node(node), "-j", "link", "show", "dev", "eth0")).RootElement[0].GetProperty("address").GetString()!;

    /// <summary>The MAC address node's neighbour table holds for <paramref name="ip"/>, or null.</summary>
    public string? NeighbourMac(char node, string ip)
    {
        var entries = JsonDocument.Parse(Run("ip", "-n", Node(node), "-j", "neigh", "show", ip)).RootElement;
        return entries.GetArrayLength() > 0 && entries[0].TryGetProperty("lladdr", out var mac) ? mac.GetString() : null;
    }

    /// <summary>Whether <paramref name="ip"/> is configured on the node's eth0.</summary>
    public bool HasAddress(char node, string ip) =>
        Run("ip", "-n", Node(node), "-o", "addr", "show", "dev", "eth0").Contains($" {ip}/", StringComparison.Ordinal);

    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)} failed ({p.ExitCode}): {error}");
        }

        return output.Result;
    }

    public void Dispose()
    {
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            try
            {
                Run("ip", "netns", "del", ns);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }
    }

    private void Add(string ns)
    {
        Run("ip", "netns", "add", ns);
        _namespaces.Add(ns);
    }
}
