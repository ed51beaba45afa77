using System.Buffers.Binary;
using System.Text;

namespace ClusterManager.Agents.Systemd;

/// <summary>A D-Bus error reply (<c>org.freedesktop.DBus.Error.*</c>, <c>org.freedesktop.systemd1.*</c>).</summary>
internal sealed class DBusErrorException(string name, string message) : Exception($"{name}: {message}")
{
    public string Name { get; } = name;

    public string ErrorMessage { get; } = message;
}

/// <summary>One received D-Bus message: its header fields and raw body (little-endian only, as systemd sends on x86/arm).</summary>
internal sealed record DBusMessage(byte Type, uint Serial, uint? ReplySerial, string? Path, string? Interface, string? Member,
    string? ErrorName, string? Signature, byte[] Body)
{
    public const byte MethodCall = 1;
    public const byte MethodReturn = 2;
    public const byte Error = 3;
    public const byte Signal = 4;

    public DBusReader Reader() => new(Body);
}

/// <summary>Reads D-Bus values from a little-endian body (offsets relative to an 8-aligned start).</summary>
internal sealed class DBusReader(byte[] data)
{
    private int _pos;

    public byte ReadByte() => data[_pos++];

    public uint ReadUInt32()
    {
        Align(4);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(_pos));
        _pos += 4;
        return v;
    }

    public string ReadString()
    {
        var length = (int)ReadUInt32();
        var s = Encoding.UTF8.GetString(data, _pos, length);
        _pos += length + 1;
        return s;
    }

    public string ReadSignature()
    {
        int length = ReadByte();
        var s = Encoding.ASCII.GetString(data, _pos, length);
        _pos += length + 1;
        return s;
    }

    /// <summary>A variant holding a basic value (string, object path, signature, integer, boolean, byte).</summary>
    public object ReadVariant()
    {
        var signature = ReadSignature();
        return signature switch
        {
            "s" or "o" => ReadString(),
            "g" => ReadSignature(),
            "u" => ReadUInt32(),
            "i" => (int)ReadUInt32(),
            "b" => ReadUInt32() != 0,
            "y" => ReadByte(),
            "t" or "x" => ReadUInt64(),
            _ => throw new NotSupportedException($"D-Bus variant of type '{signature}' is not supported by this client"),
        };
    }

    private ulong ReadUInt64()
    {
        Align(8);
        var v = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(_pos));
        _pos += 8;
        return v;
    }

    public void Align(int n) => _pos = (_pos + n - 1) / n * n;

    public int Position { get => _pos; set => _pos = value; }
}

/// <summary>Writes D-Bus values little-endian, aligned relative to the start of the buffer.</summary>
internal sealed class DBusWriter
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public byte[] ToArray() => [.. _bytes];

    public void Align(int n)
    {
        while (_bytes.Count % n != 0)
        {
            _bytes.Add(0);
        }
    }

    public void WriteByte(byte b) => _bytes.Add(b);

    public void WriteUInt32(uint v)
    {
        Align(4);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        _bytes.AddRange(b);
    }

    public void PatchUInt32(int at, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        for (var i = 0; i < 4; i++)
        {
            _bytes[at + i] = b[i];
        }
    }

    public void WriteString(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        WriteUInt32((uint)utf8.Length);
        _bytes.AddRange(utf8);
        _bytes.Add(0);
    }

    public void WriteSignature(string s)
    {
        _bytes.Add((byte)s.Length);
        _bytes.AddRange(Encoding.ASCII.GetBytes(s));
        _bytes.Add(0);
    }

    public void WriteBytes(byte[] bytes) => _bytes.AddRange(bytes);

    /// <summary>Writes <paramref name="args"/> by <paramref name="signature"/> (basic types s, o, g, u, b only).</summary>
    public void WriteArguments(string signature, object[] args)
    {
        if (signature.Length != args.Length)
        {
            throw new ArgumentException($"signature '{signature}' does not match {args.Length} arguments");
        }

        for (var i = 0; i < args.Length; i++)
        {
            switch (signature[i])
            {
                case 's' or 'o':
                    WriteString((string)args[i]);
                    break;
                case 'g':
                    WriteSignature((string)args[i]);
                    break;
                case 'u':
                    WriteUInt32((uint)args[i]);
                    break;
                case 'b':
                    WriteUInt32((bool)args[i] ? 1u : 0u);
                    break;
                default:
                    throw new NotSupportedException($"D-Bus argument type '{signature[i]}' is not supported by this client");
            }
        }
    }
}
