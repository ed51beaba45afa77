using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ClusterManager.Agents.Interop;

namespace ClusterManager.Agents.Systemd;

/// <summary>
/// A minimal D-Bus client: one unix-socket connection, SASL EXTERNAL authentication, method calls with basic
/// arguments, and signals handed to a callback on the reader task. No NuGet D-Bus package is available here
/// (Tmds.DBus and Tmds.DBus.Protocol are not on the mirror), and this is all the systemd agent needs.
/// </summary>
internal sealed class DBusConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<DBusMessage>> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly Action<DBusMessage> _onSignal;
    private Task _reader = Task.CompletedTask;
    private int _serial;

    private DBusConnection(Socket socket, Action<DBusMessage> onSignal)
    {
        _socket = socket;
        _onSignal = onSignal;
    }

    /// <summary>True until the bus closed the connection or it was disposed.</summary>
    public bool IsConnected => !_closed.IsCancellationRequested;

    /// <summary>Connects to <paramref name="address"/> (<c>unix:path=…</c> or <c>unix:abstract=…</c>) and says Hello.</summary>
    public static async Task<DBusConnection> ConnectAsync(string address, Action<DBusMessage> onSignal, CancellationToken cancellationToken)
    {
        var endPoint = ParseAddress(address);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            var uid = Libc.geteuid().ToString(CultureInfo.InvariantCulture);
            var hex = Convert.ToHexString(Encoding.ASCII.GetBytes(uid)).ToLowerInvariant();
            await socket.SendAsync(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {hex}\r\n"), cancellationToken).ConfigureAwait(false);
            var reply = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
            if (!reply.StartsWith("OK ", StringComparison.Ordinal))
            {
                throw new IOException($"D-Bus authentication at {address} refused: {reply}");
            }

            await socket.SendAsync("BEGIN\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new DBusConnection(socket, onSignal);
        connection._reader = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
        await connection.CallAsync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "", [], cancellationToken)
            .ConfigureAwait(false);
        return connection;
    }

    /// <summary>Calls a method and returns its reply; throws <see cref="DBusErrorException"/> for an error reply.</summary>
    public async Task<DBusMessage> CallAsync(string destination, string path, string iface, string member, string signature,
        object[] args, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(!IsConnected, this);
        var serial = (uint)Interlocked.Increment(ref _serial);
        var reply = new TaskCompletionSource<DBusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[serial] = reply;
        try
        {
            var message = Encode(serial, destination, path, iface, member, signature, args);
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }

            var result = await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (result.Type == DBusMessage.Error)
            {
                var text = result.Signature?.StartsWith('s') == true ? result.Reader().ReadString() : string.Empty;
                throw new DBusErrorException(result.ErrorName ?? "unknown", text);
            }

            return result;
        }
        finally
        {
            _pending.TryRemove(serial, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // closing
        }

        _sendLock.Dispose();
    }

    private static UnixDomainSocketEndPoint ParseAddress(string address)
    {
        foreach (var candidate in address.Split(';'))
        {
            if (!candidate.StartsWith("unix:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var kv in candidate[5..].Split(','))
            {
                var parts = kv.Split('=', 2);
                if (parts is ["path", var path])
                {
                    return new UnixDomainSocketEndPoint(Uri.UnescapeDataString(path));
                }

                if (parts is ["abstract", var name])
                {
                    return new UnixDomainSocketEndPoint("\0" + Uri.UnescapeDataString(name));
                }
            }
        }

        throw new ArgumentException($"D-Bus address '{address}' has no unix:path= or unix:abstract= entry", nameof(address));
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await socket.ReceiveAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("D-Bus connection closed during authentication");
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
            }

            line.Add(one[0]);
        }
    }

    private static byte[] Encode(uint serial, string destination, string path, string iface, string member, string signature, object[] args)
    {
        var body = new DBusWriter();
        body.WriteArguments(signature, args);
        var m = new DBusWriter();
        m.WriteByte((byte)'l');
        m.WriteByte(DBusMessage.MethodCall);
        m.WriteByte(0);
        m.WriteByte(1);
        m.WriteUInt32((uint)body.Length);
        m.WriteUInt32(serial);
        var lengthAt = m.Length;
        m.WriteUInt32(0);
        var start = m.Length;
        void Field(byte code, string type, string value)
        {
            m.Align(8);
            m.WriteByte(code);
            m.WriteSignature(type);
            if (type == "g")
            {
                m.WriteSignature(value);
            }
            else
            {
                m.WriteString(value);
            }
        }

        Field(1, "o", path);
        Field(2, "s", iface);
        Field(3, "s", member);
        Field(6, "s", destination);
        if (signature.Length > 0)
        {
            Field(8, "g", signature);
        }

        m.PatchUInt32(lengthAt, (uint)(m.Length - start));
        m.Align(8);
        m.WriteBytes(body.ToArray());
        return m.ToArray();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            var fixedHeader = new byte[16];
            while (!_closed.IsCancellationRequested)
            {
                await ReadExactlyAsync(fixedHeader).ConfigureAwait(false);
                if (fixedHeader[0] != 'l')
                {
                    throw new IOException("big-endian D-Bus messages are not supported by this client");
                }

                var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(4));
                var fieldsLength = BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(12));
                var headerEnd = (16 + (int)fieldsLength + 7) / 8 * 8;
                var rest = new byte[headerEnd - 16 + (int)bodyLength];
                await ReadExactlyAsync(rest).ConfigureAwait(false);
                var whole = new byte[16 + rest.Length];
                fixedHeader.CopyTo(whole, 0);
                rest.CopyTo(whole, 16);
                Dispatch(Decode(whole, fixedHeader[1], BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(8)), headerEnd));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The bus went away or we closed: fail every waiting call.
        }
        finally
        {
            await _closed.CancelAsync().ConfigureAwait(false);
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("D-Bus connection closed"));
            }
        }
    }

    private async Task ReadExactlyAsync(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), _closed.Token).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("D-Bus connection closed by the bus");
            }

            read += n;
        }
    }

    private static DBusMessage Decode(byte[] whole, byte type, uint serial, int headerEnd)
    {
        var reader = new DBusReader(whole) { Position = 16 };
        string? path = null, iface = null, member = null, error = null, signature = null;
        uint? replySerial = null;
        while (reader.Position < headerEnd)
        {
            reader.Align(8);
            if (reader.Position >= headerEnd)
            {
                break;
            }

            var code = reader.ReadByte();
            var value = reader.ReadVariant();
            switch (code)
            {
                case 1: path = (string)value; break;
                case 2: iface = (string)value; break;
                case 3: member = (string)value; break;
                case 4: error = (string)value; break;
                case 5: replySerial = (uint)value; break;
                case 8: signature = (string)value; break;
            }
        }

        return new DBusMessage(type, serial, replySerial, path, iface, member, error, signature, whole[headerEnd..]);
    }

    private void Dispatch(DBusMessage message)
    {
        if (message.Type is DBusMessage.MethodReturn or DBusMessage.Error && message.ReplySerial is { } serial)
        {
            if (_pending.TryGetValue(serial, out var waiter))
            {
                waiter.TrySetResult(message);
            }
        }
        else if (message.Type == DBusMessage.Signal)
        {
            _onSignal(message);
        }
    }
}
