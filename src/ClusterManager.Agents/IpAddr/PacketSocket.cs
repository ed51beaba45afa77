using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using ClusterManager.Agents.Interop;

namespace ClusterManager.Agents.IpAddr;

/// <summary>
/// A raw <c>AF_PACKET</c> socket on one interface, through libc (the .NET <c>Socket</c> class does not open
/// packet sockets bound to an interface and protocol). Sends whole Ethernet frames: gratuitous ARP, ARP probes
/// (duplicate address detection as <c>arping -D</c>) and IPv6 unsolicited neighbour advertisements.
/// </summary>
internal sealed unsafe class PacketSocket : IDisposable
{
    private const ushort EthPArp = 0x0806;
    private const ushort EthPIpv6 = 0x86DD;
    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    private readonly int _fd;
    private readonly int _ifIndex;
    private readonly ushort _protocol;

    private PacketSocket(int fd, int ifIndex, ushort protocol)
    {
        _fd = fd;
        _ifIndex = ifIndex;
        _protocol = protocol;
    }

    /// <summary>Opens a socket for ARP (receives ARP too) or for IPv6 (send only) on interface <paramref name="ifIndex"/>.</summary>
    public static PacketSocket Open(int ifIndex, bool ipv6)
    {
        var protocol = ipv6 ? EthPIpv6 : EthPArp;
        // A send-only socket uses protocol 0 so that it receives nothing.
        var fd = Libc.socket(Libc.AfPacket, Libc.SockRaw | Libc.SockCloexec, ipv6 ? 0 : Libc.HostToNetwork(protocol));
        if (fd < 0)
        {
            throw new IOException($"socket(AF_PACKET) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var address = new Libc.SockaddrLl { Family = Libc.AfPacket, Protocol = ipv6 ? (ushort)0 : Libc.HostToNetwork(protocol), IfIndex = ifIndex };
        if (Libc.bind(fd, &address, sizeof(Libc.SockaddrLl)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.close(fd);
            throw new IOException($"bind(AF_PACKET, ifindex {ifIndex}) failed: errno {errno}");
        }

        return new PacketSocket(fd, ifIndex, protocol);
    }

    /// <summary>A gratuitous ARP request and reply for <paramref name="ip"/> at <paramref name="mac"/>, both broadcast.</summary>
    public void SendGratuitousArp(PhysicalAddress mac, IPAddress ip)
    {
        var m = mac.GetAddressBytes();
        var a = ip.GetAddressBytes();
        Send(ArpFrame(1, m, a, new byte[6], a), Broadcast);
        Send(ArpFrame(2, m, a, Broadcast, a), Broadcast);
    }

    /// <summary>An ARP probe (sender address 0.0.0.0) asking who has <paramref name="ip"/>.</summary>
    public void SendArpProbe(PhysicalAddress mac, IPAddress ip) =>
        Send(ArpFrame(1, mac.GetAddressBytes(), new byte[4], new byte[6], ip.GetAddressBytes()), Broadcast);

    /// <summary>
    /// Waits up to <paramref name="wait"/> for an ARP packet from another host claiming <paramref name="ip"/>;
    /// returns that host's MAC address, or null.
    /// </summary>
    public PhysicalAddress? ReceiveClaim(IPAddress ip, PhysicalAddress ownMac, TimeSpan wait)
    {
        var own = ownMac.GetAddressBytes();
        var target = ip.GetAddressBytes();
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        var buffer = new byte[1600];
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return null;
            }

            var poll = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
            var ready = Libc.poll(&poll, 1, (int)left);
            if (ready < 0 && Marshal.GetLastPInvokeError() == Libc.Eintr)
            {
                continue;
            }

            if (ready <= 0)
            {
                return null;
            }

            nint length;
            fixed (byte* b = buffer)
            {
                length = Libc.recv(_fd, b, (nuint)buffer.Length, 0);
            }

            // Ethernet (14) + ARP for IPv4 over Ethernet (28); sender hardware address at 22, sender IP at 28.
            if (length < 42 || BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(12)) != EthPArp)
            {
                continue;
            }

            var sha = buffer.AsSpan(22, 6);
            var spa = buffer.AsSpan(28, 4);
            if (spa.SequenceEqual(target) && !sha.SequenceEqual(own))
            {
                return new PhysicalAddress(sha.ToArray());
            }
        }
    }

    /// <summary>An unsolicited neighbour advertisement (override flag set) for <paramref name="ip"/> to all nodes.</summary>
    public void SendUnsolicitedNeighbourAdvertisement(PhysicalAddress mac, IPAddress ip)
    {
        var m = mac.GetAddressBytes();
        var src = ip.GetAddressBytes();
        byte[] allNodes = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        byte[] dstMac = [0x33, 0x33, 0, 0, 0, 1];
        var icmp = new byte[32];
        icmp[0] = 136; // neighbour advertisement
        icmp[4] = 0x20; // override
        src.CopyTo(icmp, 8);
        icmp[24] = 2; // target link-layer address option, 1 unit of 8 bytes
        icmp[25] = 1;
        m.CopyTo(icmp, 26);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Icmpv6Checksum(src, allNodes, icmp));
        var frame = new byte[14 + 40 + icmp.Length];
        dstMac.CopyTo(frame, 0);
        m.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EthPIpv6);
        frame[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)icmp.Length);
        frame[20] = 58; // ICMPv6
        frame[21] = 255; // hop limit required for ND
        src.CopyTo(frame, 22);
        allNodes.CopyTo(frame, 38);
        icmp.CopyTo(frame, 54);
        Send(frame, dstMac);
    }

    public void Dispose() => Libc.close(_fd);

    private static byte[] ArpFrame(ushort op, byte[] sha, byte[] spa, byte[] tha, byte[] tpa)
    {
        var frame = new byte[60]; // minimum Ethernet payload, zero padded
        Broadcast.CopyTo(frame, 0);
        sha.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EthPArp);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x0800); // IPv4
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), op);
        sha.CopyTo(frame, 22);
        spa.CopyTo(frame, 28);
        tha.CopyTo(frame, 32);
        tpa.CopyTo(frame, 38);
        return frame;
    }

    private static ushort Icmpv6Checksum(byte[] src, byte[] dst, byte[] icmp)
    {
        uint sum = 0;
        void Add(ReadOnlySpan<byte> data)
        {
            for (var i = 0; i < data.Length; i += 2)
            {
                sum += (uint)(data[i] << 8 | (i + 1 < data.Length ? data[i + 1] : 0));
            }
        }

        Add(src);
        Add(dst);
        sum += (uint)icmp.Length;
        sum += 58;
        Add(icmp);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private void Send(byte[] frame, byte[] destination)
    {
        var address = new Libc.SockaddrLl { Family = Libc.AfPacket, Protocol = Libc.HostToNetwork(_protocol), IfIndex = _ifIndex, HaLen = 6 };
        for (var i = 0; i < 6; i++)
        {
            address.Addr[i] = destination[i];
        }

        fixed (byte* f = frame)
        {
            if (Libc.sendto(_fd, f, (nuint)frame.Length, 0, &address, sizeof(Libc.SockaddrLl)) < 0)
            {
                throw new IOException($"sendto(AF_PACKET, ifindex {_ifIndex}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }
}
