using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// The tokens this agent issued (pcsd's pcs_users.conf), kept as SHA-256 hashes only in <c>STATE/tokens</c> (mode
/// 0600), one per line: <c>hash user issued-at host-name</c>. A token is 256 random bits; it does not expire (as pcs)
/// and is revoked by Deauth or by deleting its line.
/// </summary>
internal sealed class HostTokenStore
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _users;

    private HostTokenStore(string path, Dictionary<string, string> users)
    {
        _path = path;
        _users = users;
    }

    /// <summary>Loads <c>tokens</c> from <paramref name="stateDirectory"/> (none when the file does not exist).</summary>
    public static HostTokenStore Load(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, "tokens");
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && !fields[0].StartsWith('#'))
                {
                    users[fields[0]] = fields[1];
                }
            }
        }

        return new HostTokenStore(path, users);
    }

    /// <summary>How many tokens are valid.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _users.Count;
            }
        }
    }

    /// <summary>Issues a new token for <paramref name="user"/>; only its hash is stored.</summary>
    public string Issue(string user, string hostName, DateTimeOffset now)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        lock (_lock)
        {
            var line = $"{hash} {user} {now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {Sanitize(hostName)}\n";
            var existing = File.Exists(_path) ? File.ReadAllText(_path) : "# sha256(token) user issued-at host-name\n";
            SecureFile.Write(_path, existing + line, secret: true);
            _users[hash] = user;
        }

        return token;
    }

    /// <summary>The user a token was issued to; null when it is not a valid token.</summary>
    public string? UserOf(string token)
    {
        var hash = Hash(token);
        lock (_lock)
        {
            return _users.GetValueOrDefault(hash);
        }
    }

    /// <summary>Revokes a token; false when it was not valid.</summary>
    public bool Revoke(string token)
    {
        var hash = Hash(token);
        lock (_lock)
        {
            if (!_users.Remove(hash))
            {
                return false;
            }

            var kept = File.ReadAllLines(_path).Where(l => !l.StartsWith(hash + " ", StringComparison.Ordinal));
            SecureFile.Write(_path, string.Join('\n', kept) + "\n", secret: true);
            return true;
        }
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Sanitize(string text)
    {
        var clean = new string([.. text.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c))]);
        return clean.Length == 0 ? "-" : clean;
    }
}
