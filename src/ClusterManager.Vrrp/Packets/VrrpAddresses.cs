using System.Net;

namespace ClusterManager.Vrrp.Packets;

/// <summary>Well-known VRRP addresses.</summary>
public static class VrrpAddresses
{
    /// <summary>224.0.0.18, the IPv4 VRRP multicast group.</summary>
    public static readonly IPAddress MulticastV4 = IPAddress.Parse("224.0.0.18");

    /// <summary>ff02::12, the IPv6 VRRP multicast group.</summary>
    public static readonly IPAddress MulticastV6 = IPAddress.Parse("ff02::12");

    /// <summary>The RFC virtual MAC: 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6).</summary>
    public static byte[] VirtualMac(byte vrid, bool ipv6 = false) => [0x00, 0x00, 0x5e, 0x00, ipv6 ? (byte)0x02 : (byte)0x01, vrid];

    /// <summary>The Ethernet multicast MAC of an IPv4 (01:00:5e + low 23 bits) or IPv6 (33:33 + low 32 bits) group.</summary>
    public static byte[] MulticastMac(IPAddress group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var b = group.GetAddressBytes();
        return group.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? [0x33, 0x33, b[12], b[13], b[14], b[15]]
            : [0x01, 0x00, 0x5e, (byte)(b[1] & 0x7F), b[2], b[3]];
    }
}
