using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ClusterManager.Vrrp.Packets;

/// <summary>A parsed IPv4 header: the fields the VRRP receive checks need.</summary>
/// <param name="Ttl">Time to live (must be 255 for multicast adverts).</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Source">Source address.</param>
/// <param name="Destination">Destination address.</param>
/// <param name="HeaderLength">Header length in bytes.</param>
/// <param name="TotalLength">The IP total length field.</param>
/// <param name="HeaderChecksumValid">Whether the header checksum verifies.</param>
public sealed record Ipv4Header(byte Ttl, byte Protocol, IPAddress Source, IPAddress Destination, int HeaderLength, int TotalLength, bool HeaderChecksumValid);

/// <summary>Builders and parsers for the frames VRRP puts on the wire: IPv4 header, Ethernet header, gratuitous ARP, unsolicited NA.</summary>
public static class Frames
{
    /// <summary>Type of service keepalived uses: 0xc0, DSCP CS6 network control.</summary>
    public const byte NetworkControlTos = 0xC0;

    /// <summary>Ethernet broadcast MAC.</summary>
    public static readonly byte[] Broadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    /// <summary>Builds a 20-byte IPv4 header as keepalived does (TOS 0xc0, no DF, TTL 255) followed by <paramref name="payload"/>.</summary>
    public static byte[] Ipv4Packet(IPAddress source, IPAddress destination, ushort id, byte protocol, ReadOnlySpan<byte> payload, byte ttl = 255)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var packet = new byte[20 + payload.Length];
        packet[0] = 0x45;
        packet[1] = NetworkControlTos;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
        packet[8] = ttl;
        packet[9] = protocol;
        source.TryWriteBytes(packet.AsSpan(12), out _);
        destination.TryWriteBytes(packet.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), InternetChecksum.Compute(packet.AsSpan(0, 20)));
        payload.CopyTo(packet.AsSpan(20));
        return packet;
    }

    /// <summary>Parses an IPv4 header; null if <paramref name="packet"/> is not IPv4 or is truncated.</summary>
    public static Ipv4Header? ParseIpv4(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 20 || packet[0] >> 4 != 4)
        {
            return null;
        }

        var headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < 20 || packet.Length < headerLength)
        {
            return null;
        }

        return new Ipv4Header(
            packet[8],
            packet[9],
            new IPAddress(packet.Slice(12, 4)),
            new IPAddress(packet.Slice(16, 4)),
            headerLength,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            InternetChecksum.Compute(packet[..headerLength]) == 0);
    }

    /// <summary>Prefixes an Ethernet II header.</summary>
    public static byte[] Ethernet(ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, ushort etherType, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + payload.Length];
        destination.CopyTo(frame);
        source.CopyTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>
    /// A gratuitous ARP frame exactly as keepalived sends it: broadcast, ARP request, sha = <paramref name="mac"/>,
    /// spa = tpa = <paramref name="address"/>, tha = ff:ff:ff:ff:ff:ff (42 bytes, unpadded).
    /// </summary>
    public static byte[] GratuitousArp(ReadOnlySpan<byte> mac, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (mac.Length != 6 || address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("gratuitous ARP needs a 6-byte MAC and an IPv4 address");
        }

        var arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), 1);
        mac.CopyTo(arp.AsSpan(8));
        address.TryWriteBytes(arp.AsSpan(14), out _);
        Broadcast.CopyTo(arp.AsSpan(18));
        address.TryWriteBytes(arp.AsSpan(24), out _);
        return Ethernet(Broadcast, mac, 0x0806, arp);
    }

    /// <summary>
    /// The ICMPv6 body of an unsolicited neighbour advertisement (RFC 4861 §7.2.6) for <paramref name="target"/>: type 136,
    /// override flag set, target link-layer address option. The checksum is computed over the IPv6 pseudo-header from
    /// <paramref name="source"/> to ff02::1.
    /// </summary>
    public static byte[] UnsolicitedNeighborAdvertisement(ReadOnlySpan<byte> mac, IPAddress target, IPAddress source, bool router = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (mac.Length != 6 || target.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("unsolicited NA needs a 6-byte MAC and an IPv6 target");
        }

        var na = new byte[32];
        na[0] = 136;
        na[4] = (byte)(0x20 | (router ? 0x80 : 0));
        target.TryWriteBytes(na.AsSpan(8), out _);
        na[24] = 2;
        na[25] = 1;
        mac.CopyTo(na.AsSpan(26));
        Span<byte> pseudo = stackalloc byte[40];
        source.TryWriteBytes(pseudo, out _);
        IPAddress.Parse("ff02::1").TryWriteBytes(pseudo[16..], out _);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo[32..], (uint)na.Length);
        pseudo[39] = 58;
        BinaryPrimitives.WriteUInt16BigEndian(na.AsSpan(2), InternetChecksum.Finish(InternetChecksum.Add(InternetChecksum.Add(0, pseudo), na)));
        return na;
    }
}
