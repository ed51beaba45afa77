using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ClusterManager.Vrrp.Host;

/// <summary>
/// Adds and removes interface addresses over rtnetlink (RTM_NEWADDR / RTM_DELADDR), as keepalived does: a takeover
/// must not wait for an <c>ip</c> process to start on a loaded host. One instance per VRRP instance loop (not shared).
/// </summary>
internal sealed unsafe partial class RtNetlink : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRawCloexec = 3 | 0x80000;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort NlmsgError = 2;
    private const ushort FlagsRequestAck = 0x1 | 0x4;
    private const ushort FlagsCreateExclusive = 0x400 | 0x200;
    private const int Eexist = 17;
    private const int Eaddrnotavail = 99;

    private readonly int _fd;
    private uint _sequence;

    public RtNetlink()
    {
        _fd = socket(AfNetlink, SockRawCloexec, 0);
        if (_fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError(), "socket(AF_NETLINK, NETLINK_ROUTE) failed");
        }
    }

    /// <summary>Adds the address; 0 on success or when already present, else the errno.</summary>
    public int Add(int ifIndex, IPAddress address, int prefixLength) => Change(RtmNewAddr, ifIndex, address, prefixLength) is var e && e == Eexist ? 0 : e;

    /// <summary>Removes the address; 0 on success or when not present, else the errno.</summary>
    public int Remove(int ifIndex, IPAddress address, int prefixLength) => Change(RtmDelAddr, ifIndex, address, prefixLength) is var e && e == Eaddrnotavail ? 0 : e;

    public void Dispose() => close(_fd);

    private int Change(ushort type, int ifIndex, IPAddress address, int prefixLength)
    {
        var addressLength = address.AddressFamily == AddressFamily.InterNetworkV6 ? 16 : 4;
        var attributeLength = 4 + addressLength;
        var length = 16 + 8 + (2 * attributeLength);
        Span<byte> message = stackalloc byte[length];
        message.Clear();
        var sequence = ++_sequence;
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(message[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(message[6..], (ushort)(FlagsRequestAck | (type == RtmNewAddr ? FlagsCreateExclusive : 0)));
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], sequence);
        message[16] = (byte)(addressLength == 16 ? 10 : 2); // ifaddrmsg: family, prefixlen, flags, scope, index
        message[17] = (byte)prefixLength;
        BinaryPrimitives.WriteInt32LittleEndian(message[20..], ifIndex);
        var offset = 24;
        foreach (var attribute in new ushort[] { 2 /* IFA_LOCAL */, 1 /* IFA_ADDRESS */ })
        {
            BinaryPrimitives.WriteUInt16LittleEndian(message[offset..], (ushort)attributeLength);
            BinaryPrimitives.WriteUInt16LittleEndian(message[(offset + 2)..], attribute);
            address.TryWriteBytes(message[(offset + 4)..], out _);
            offset += attributeLength;
        }

        Span<byte> kernel = stackalloc byte[12];
        kernel.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(kernel, AfNetlink);
        fixed (byte* m = message)
        fixed (byte* k = kernel)
        {
            if (sendto(_fd, m, (nuint)length, 0, k, kernel.Length) < 0)
            {
                return Marshal.GetLastPInvokeError();
            }
        }

        Span<byte> reply = stackalloc byte[8192];
        while (true)
        {
            nint received;
            fixed (byte* r = reply)
            {
                received = recv(_fd, r, (nuint)reply.Length, 0);
            }

            if (received < 0)
            {
                return Marshal.GetLastPInvokeError();
            }

            for (var at = 0; at + 16 <= received;)
            {
                var messageLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply[at..]);
                if (BinaryPrimitives.ReadUInt16LittleEndian(reply[(at + 4)..]) == NlmsgError
                    && BinaryPrimitives.ReadUInt32LittleEndian(reply[(at + 8)..]) == sequence)
                {
                    return -BinaryPrimitives.ReadInt32LittleEndian(reply[(at + 16)..]);
                }

                if (messageLength < 16)
                {
                    break;
                }

                at += (messageLength + 3) & ~3;
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
