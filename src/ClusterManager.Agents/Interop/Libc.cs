using System.Runtime.InteropServices;

namespace ClusterManager.Agents.Interop;

/// <summary>The few libc calls .NET does not wrap: process-group kill, namespaces and packet sockets.</summary>
internal static partial class Libc
{
    public const int SigKill = 9;
    public const int AfPacket = 17;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int CloneNewNet = 0x40000000;
    public const short PollIn = 1;
    public const int Eintr = 4;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int bind(int fd, void* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint sendto(int fd, void* buf, nuint len, int flags, void* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint recv(int fd, void* buf, nuint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int poll(PollFd* fds, nuint nfds, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary><c>struct sockaddr_ll</c> (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol; // network byte order
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public fixed byte Addr[8];
    }

    public static ushort HostToNetwork(ushort value) =>
        BitConverter.IsLittleEndian ? (ushort)((value >> 8) | (value << 8)) : value;
}
