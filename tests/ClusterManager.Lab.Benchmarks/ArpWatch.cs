using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace ClusterManager.Lab.Benchmarks;

/// <summary>An ARP packet that announced <c>address is at mac</c> (a reply or a gratuitous ARP), when it arrived.</summary>
internal sealed record ArpAnswer(DateTimeOffset At, PhysicalAddress Mac);

/// <summary>
/// Asks "who has ADDRESS?" on the host's bridge every <see cref="Period"/> (from the host's own address and MAC, as
/// the host's kernel would) and records every ARP packet whose sender is ADDRESS: which machine answers for the
/// address, and from when. An AF_PACKET socket on the bridge in the root namespace, no process per probe.
/// </summary>
internal sealed partial class ArpWatch : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private const int AfPacket = 17;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const ushort EthPArp = 0x0806;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;

    private readonly int _fd;
    private readonly byte[] _request;
    private readonly IPAddress _address;
    private readonly List<ArpAnswer> _answers = [];
    private readonly Lock _gate = new();
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private volatile bool _stopping;

    private ArpWatch(int fd, byte[] request, IPAddress address)
    {
        _fd = fd;
        _request = request;
        _address = address;
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "arp sender" };
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "arp receiver" };
    }

    /// <summary>Starts asking for <paramref name="address"/> on <paramref name="bridge"/>, from <paramref name="source"/>.</summary>
    public static ArpWatch Start(string bridge, IPAddress source, IPAddress address)
    {
        var index = int.Parse(File.ReadAllText($"/sys/class/net/{bridge}/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var mac = PhysicalAddress.Parse(File.ReadAllText($"/sys/class/net/{bridge}/address").Trim()).GetAddressBytes();
        var fd = socket(AfPacket, SockRaw | SockCloexec, HostToNetwork(EthPArp));
        if (fd < 0)
        {
            throw new IOException($"AF_PACKET socket: errno {Marshal.GetLastPInvokeError()}");
        }

        Span<byte> sockaddr = stackalloc byte[20]; // struct sockaddr_ll
        sockaddr.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, AfPacket);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], EthPArp);
        BinaryPrimitives.WriteInt32LittleEndian(sockaddr[4..], index);
        var timeout = new long[] { 0, 100_000 }; // 100 ms: the receiver notices Dispose
        if (bind(fd, sockaddr, sockaddr.Length) != 0 || setsockopt(fd, SolSocket, SoRcvtimeo, timeout, 16) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = close(fd);
            throw new IOException($"AF_PACKET socket on {bridge}: errno {errno}");
        }

        var frame = new byte[42];
        frame.AsSpan(0, 6).Fill(0xff);
        mac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EthPArp);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x0800); // IPv4
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 1); // request
        mac.CopyTo(frame, 22);
        source.GetAddressBytes().CopyTo(frame, 28);
        address.GetAddressBytes().CopyTo(frame, 38);
        var watch = new ArpWatch(fd, frame, address);
        watch._receiver.Start();
        watch._sender.Start();
        return watch;
    }

    /// <summary>The first answer after <paramref name="after"/> from a MAC other than <paramref name="notFrom"/>.</summary>
    public ArpAnswer? FirstAnswer(DateTimeOffset after, PhysicalAddress? notFrom)
    {
        lock (_gate)
        {
            return _answers.FirstOrDefault(a => a.At > after && (notFrom is null || !a.Mac.Equals(notFrom)));
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _sender.Join();
        _receiver.Join();
        _ = close(_fd);
    }

    private void SendLoop()
    {
        while (!_stopping)
        {
            _ = send(_fd, _request, (nuint)_request.Length, 0);
            Thread.Sleep(Period);
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[1514];
        var wanted = _address.GetAddressBytes();
        while (!_stopping)
        {
            var length = (int)recv(_fd, buffer, (nuint)buffer.Length, 0);
            var at = DateTimeOffset.UtcNow;
            if (length < 42 || BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(12)) != EthPArp ||
                !buffer.AsSpan(28, 4).SequenceEqual(wanted))
            {
                continue;
            }

            // Our own requests come from the host's address, so a packet whose sender is the address came from its holder.
            var mac = new PhysicalAddress(buffer.AsSpan(22, 6).ToArray());
            lock (_gate)
            {
                _answers.Add(new ArpAnswer(at, mac));
            }
        }
    }

    private static ushort HostToNetwork(ushort value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, ReadOnlySpan<byte> address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, long[] value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte[] buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte[] buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
