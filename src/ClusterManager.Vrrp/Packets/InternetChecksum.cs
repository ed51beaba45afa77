namespace ClusterManager.Vrrp.Packets;

/// <summary>The RFC 1071 one's-complement checksum used by IPv4, VRRP, ICMPv6.</summary>
public static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> (big-endian 16-bit words, odd byte padded with zero) to a running sum.</summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        return sum;
    }

    /// <summary>Folds the carries and complements: the value to put in the checksum field.</summary>
    public static ushort Finish(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>Checksum of one buffer.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));
}
