using System.Buffers.Binary;

namespace ClusterManager.Vrrp.Tests.Packets;

/// <summary>Minimal classic-pcap reader (both byte orders, microsecond timestamps); returns the captured frames.</summary>
internal static class PcapReader
{
    public static IReadOnlyList<(double Time, byte[] Frame)> Read(string path)
    {
        var data = File.ReadAllBytes(path);
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var little = magic switch
        {
            0xa1b2c3d4 => true,
            0xd4c3b2a1 => false,
            _ => throw new InvalidDataException($"{path}: not a classic pcap file (magic {magic:x8})"),
        };
        uint U32(int offset) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));
        if (U32(20) != 1)
        {
            throw new InvalidDataException($"{path}: link type {U32(20)} is not Ethernet");
        }

        var frames = new List<(double, byte[])>();
        for (var offset = 24; offset + 16 <= data.Length;)
        {
            var length = (int)U32(offset + 8);
            frames.Add((U32(offset) + (U32(offset + 4) / 1e6), data.AsSpan(offset + 16, length).ToArray()));
            offset += 16 + length;
        }

        return frames;
    }

    public static string VectorPath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Vectors", name);
}
