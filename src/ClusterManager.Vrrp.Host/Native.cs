using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ClusterManager.Vrrp.Host;

/// <summary>
/// libc calls .NET does not offer: a raw IPv4 socket for protocol 112 (the managed constructor throws
/// "Protocol not supported") and <c>sendto</c> with a <c>sockaddr_ll</c> for gratuitous ARP on AF_PACKET.
/// </summary>
internal static unsafe partial class Native
{
    private const int AfInet = 2;
    private const int AfPacket = 17;
    private const int SockRaw = 3;

    /// <summary>Opens <c>socket(AF_INET, SOCK_RAW, protocol)</c> and wraps it in a managed <see cref="Socket"/>.</summary>
    public static Socket RawIpv4Socket(int protocol) => Wrap(socket(AfInet, SockRaw, protocol), $"socket(AF_INET, SOCK_RAW, {protocol})");

    /// <summary>Opens an AF_PACKET raw socket for one ethertype.</summary>
    public static Socket PacketSocket(ushort etherType) =>
        Wrap(socket(AfPacket, SockRaw, BinaryPrimitives.ReverseEndianness(etherType)), "socket(AF_PACKET, SOCK_RAW)");

    /// <summary>Sends a complete Ethernet frame on interface <paramref name="ifIndex"/>.</summary>
    public static void SendFrame(Socket packetSocket, int ifIndex, ReadOnlySpan<byte> frame, ushort etherType)
    {
        Span<byte> sll = stackalloc byte[20];
        sll.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(sll, AfPacket);
        BinaryPrimitives.WriteUInt16BigEndian(sll[2..], etherType);
        BinaryPrimitives.WriteInt32LittleEndian(sll[4..], ifIndex);
        sll[11] = 6;
        frame[..6].CopyTo(sll[12..]);
        nint sent;
        fixed (byte* f = frame)
        fixed (byte* a = sll)
        {
            sent = sendto((int)packetSocket.Handle, f, (nuint)frame.Length, 0, a, sll.Length);
        }

        if (sent < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    private static Socket Wrap(int fd, string what)
    {
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SocketException(errno == 1 ? (int)SocketError.AccessDenied : errno, $"{what} failed (errno {errno}); needs CAP_NET_RAW");
        }

        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);
}
