using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace ClusterManager.Lab.Tests;

/// <summary>
/// Reads the IPv4 addresses of one named network namespace (<c>/run/netns/NAME</c>) over an rtnetlink socket that
/// was opened inside it: what <c>ip -4 -o addr</c> prints, without starting a process, so a checker can afford it
/// every few milliseconds. The socket stays bound to the namespace wherever it is used afterwards.
/// </summary>
internal sealed partial class NamespaceAddresses : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const int CloneNewNet = 0x40000000;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmGetAddr = 22;
    private const ushort NlmsgDone = 3;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const int AfInet = 2;

    private readonly int _fd;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private uint _sequence;

    private NamespaceAddresses(string name, int fd)
    {
        Name = name;
        _fd = fd;
    }

    /// <summary>The namespace's name.</summary>
    public string Name { get; }

    /// <summary>Opens the socket inside the namespace (on a short-lived thread that joins it).</summary>
    public static NamespaceAddresses Open(string name)
    {
        var fd = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(Path.Combine("/run/netns", name));
                if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns into {name}: errno {Marshal.GetLastPInvokeError()}");
                }

                fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
                if (fd < 0)
                {
                    throw new IOException($"netlink socket in {name}: errno {Marshal.GetLastPInvokeError()}");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "netns " + name };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure;
        }

        var timeout = new long[] { 1, 0 }; // struct timeval: a dump never blocks for longer than a second
        if (setsockopt(fd, SolSocket, SoRcvtimeo, timeout, 16) != 0)
        {
            _ = close(fd);
            throw new IOException($"SO_RCVTIMEO on the netlink socket of {name}: errno {Marshal.GetLastPInvokeError()}");
        }

        return new NamespaceAddresses(name, fd);
    }

    /// <summary>Every IPv4 address configured in the namespace now (any interface).</summary>
    public IReadOnlyList<IPAddress> Read()
    {
        var sequence = ++_sequence;
        Span<byte> request = stackalloc byte[16 + 8];
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], RtmGetAddr);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], sequence);
        request[16] = AfInet;
        if (send(_fd, request, (nuint)request.Length, 0) != request.Length)
        {
            throw new IOException($"netlink dump request in {Name}: errno {Marshal.GetLastPInvokeError()}");
        }

        var addresses = new List<IPAddress>();
        while (true)
        {
            var length = (int)recv(_fd, _buffer, (nuint)_buffer.Length, 0);
            if (length <= 0)
            {
                throw new IOException($"netlink dump in {Name}: errno {Marshal.GetLastPInvokeError()}");
            }

            for (var offset = 0; offset + 16 <= length;)
            {
                var message = _buffer.AsSpan(offset, length - offset);
                var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(message);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
                var seq = BinaryPrimitives.ReadUInt32LittleEndian(message[8..]);
                if (size < 16 || size > message.Length)
                {
                    throw new IOException($"netlink dump in {Name}: malformed message of {size} bytes");
                }

                if (seq == sequence)
                {
                    switch (type)
                    {
                        case NlmsgDone:
                            return addresses;
                        case NlmsgError:
                            throw new IOException($"netlink dump in {Name}: error {BinaryPrimitives.ReadInt32LittleEndian(message[16..])}");
                        case RtmNewAddr:
                            if (Parse(message[..size]) is { } address)
                            {
                                addresses.Add(address);
                            }

                            break;
                    }
                }

                offset += (size + 3) & ~3;
            }
        }
    }

    public void Dispose() => _ = close(_fd);

    /// <summary>The address of one RTM_NEWADDR message (IFA_LOCAL, else IFA_ADDRESS), IPv4 only.</summary>
    private static IPAddress? Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < 24 || message[16] != AfInet)
        {
            return null;
        }

        IPAddress? address = null;
        for (var offset = 24; offset + 4 <= message.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(message[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(message[(offset + 2)..]);
            if (length < 4 || offset + length > message.Length)
            {
                break;
            }

            if (length == 8 && type is IfaLocal or IfaAddress)
            {
                var value = new IPAddress(message.Slice(offset + 4, 4));
                if (type == IfaLocal || address is null)
                {
                    address = value;
                }
            }

            offset += (length + 3) & ~3;
        }

        return address;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, long[] value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, ReadOnlySpan<byte> buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte[] buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
