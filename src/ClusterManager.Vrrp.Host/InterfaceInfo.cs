using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace ClusterManager.Vrrp.Host;

/// <summary>What the host needs to know about the interface an instance runs on (read from /sys and the OS).</summary>
internal sealed record InterfaceInfo(string Name, int Index, byte[] Mac, IPAddress PrimaryAddress)
{
    public static InterfaceInfo Resolve(string name, IPAddress? configuredSource, IReadOnlyCollection<IPAddress> virtualAddresses)
    {
        var sys = Path.Combine("/sys/class/net", name);
        if (!Directory.Exists(sys))
        {
            throw new InvalidOperationException($"interface '{name}' does not exist");
        }

        var index = int.Parse(File.ReadAllText(Path.Combine(sys, "ifindex")).Trim(), CultureInfo.InvariantCulture);
        var mac = File.ReadAllText(Path.Combine(sys, "address")).Trim().Split(':').Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        var primary = configuredSource ?? NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.Name == name)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !virtualAddresses.Contains(a))
            ?? throw new InvalidOperationException($"interface '{name}' has no IPv4 address to send adverts from (set unicastSrcIp)");
        return new InterfaceInfo(name, index, mac, primary);
    }

    /// <summary>True when the interface is up with carrier.</summary>
    public static bool IsUp(string name)
    {
        try
        {
            var state = File.ReadAllText(Path.Combine("/sys/class/net", name, "operstate")).Trim();
            return state is "up" or "unknown";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
