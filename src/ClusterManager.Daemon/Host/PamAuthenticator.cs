using System.Runtime.InteropServices;
using System.Text;

namespace ClusterManager.Daemon.Host;

/// <summary>The outcome of checking an account: accepted, or refused with the reason (for the log only).</summary>
internal sealed record AccountCheck(bool Accepted, string Reason);

/// <summary>
/// Checks a local account's password with PAM (libpam, as pcsd does: pam_authenticate then pam_acct_mgmt, so
/// expired or locked accounts, pam_faillock and directory users behave as they do for a login), and that the user
/// may manage the cluster: one of <see cref="HostAgentOptions.AllowedUsers"/> (hacluster) or a member of
/// <see cref="HostAgentOptions.AllowedGroups"/> (haclient). Calls are serialized: PAM modules and the libc
/// account lookups are not all thread-safe, and a password guesser gets no parallelism. The password is handed to
/// PAM through its conversation function only, in memory PAM frees; it is never logged or stored.
/// </summary>
internal sealed class PamAuthenticator(HostAgentOptions options)
{
    private const int PamSuccess = 0;
    private const int PamBufErr = 5;
    private const int PamConvErr = 19;
    private const int PamRHost = 4;
    private const int PamDisallowNullAuthtok = 0x0001;
    private const int PamPromptEchoOff = 1;
    private const int PamPromptEchoOn = 2;
    private const int MaxMessages = 32;

    private static readonly Lock Serial = new();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ConversationFunction(int count, IntPtr messages, IntPtr responses, IntPtr appData);

    /// <summary>The PAM service used: the configured one when /etc/pam.d has it, else <c>login</c>.</summary>
    public string Service => File.Exists(Path.Combine("/etc/pam.d", options.PamService)) ? options.PamService : "login";

    /// <summary>Checks <paramref name="user"/> and <paramref name="password"/>; blocks (PAM may delay a failure by seconds).</summary>
    public AccountCheck Check(string user, string password, string? remoteHost)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        if (user.Length == 0 || user.Length > 256 || user.Any(c => char.IsControl(c) || c == ':' || c == '/'))
        {
            return new AccountCheck(false, "not a user name");
        }

        lock (Serial)
        {
            var authenticated = Authenticate(Service, user, password, remoteHost);
            if (!authenticated.Accepted)
            {
                return authenticated;
            }

            if (options.AllowedUsers.Contains(user, StringComparer.Ordinal))
            {
                return new AccountCheck(true, $"user {user}");
            }

            var groups = GroupsOf(user);
            var allowed = options.AllowedGroups.FirstOrDefault(g => GroupId(g) is { } gid && groups.Contains(gid));
            return allowed is null
                ? new AccountCheck(false, $"user {user} is not {string.Join(" or ", options.AllowedUsers)} and not in group {string.Join(" or ", options.AllowedGroups)}")
                : new AccountCheck(true, $"user {user} in group {allowed}");
        }
    }

    private static AccountCheck Authenticate(string service, string user, string password, string? remoteHost)
    {
        var secret = Encoding.UTF8.GetBytes(password);
        ConversationFunction conversation = (count, messages, responses, _) => Converse(count, messages, responses, secret);
        var conv = new PamConv { Conversation = Marshal.GetFunctionPointerForDelegate(conversation), AppData = IntPtr.Zero };
        var status = pam_start(service, user, ref conv, out var handle);
        if (status != PamSuccess)
        {
            Array.Clear(secret);
            GC.KeepAlive(conversation);
            return new AccountCheck(false, $"pam_start({service}) failed: {status}");
        }

        try
        {
            if (!string.IsNullOrEmpty(remoteHost))
            {
                // Recorded by PAM's logging (auth.log, faillock) as where the attempt came from.
                pam_set_item(handle, PamRHost, remoteHost);
            }

            status = pam_authenticate(handle, PamDisallowNullAuthtok);
            if (status != PamSuccess)
            {
                return new AccountCheck(false, $"PAM {service}: {Describe(handle, status)}");
            }

            status = pam_acct_mgmt(handle, PamDisallowNullAuthtok);
            return status == PamSuccess
                ? new AccountCheck(true, "")
                : new AccountCheck(false, $"PAM {service} account check: {Describe(handle, status)}");
        }
        finally
        {
            pam_end(handle, status);
            Array.Clear(secret);
            GC.KeepAlive(conversation);
        }
    }

    /// <summary>PAM's conversation: answers every prompt with the password; informational messages get no answer.</summary>
    private static int Converse(int count, IntPtr messages, IntPtr responses, byte[] secret)
    {
        if (count is <= 0 or > MaxMessages || messages == IntPtr.Zero || responses == IntPtr.Zero)
        {
            return PamConvErr;
        }

        // struct pam_response { char *resp; int resp_retcode; }: PAM frees the array and each answer with free(),
        // and AllocHGlobal is malloc on Unix.
        var size = 2 * IntPtr.Size;
        var array = Marshal.AllocHGlobal(count * size);
        if (array == IntPtr.Zero)
        {
            return PamBufErr;
        }

        for (var i = 0; i < count * size; i++)
        {
            Marshal.WriteByte(array, i, 0);
        }

        for (var i = 0; i < count; i++)
        {
            // Linux-PAM passes an array of pointers to struct pam_message { int msg_style; const char *msg; }.
            var message = Marshal.ReadIntPtr(messages, i * IntPtr.Size);
            var style = message == IntPtr.Zero ? 0 : Marshal.ReadInt32(message);
            if (style is PamPromptEchoOff or PamPromptEchoOn)
            {
                var answer = Marshal.AllocHGlobal(secret.Length + 1);
                Marshal.Copy(secret, 0, answer, secret.Length);
                Marshal.WriteByte(answer, secret.Length, 0);
                Marshal.WriteIntPtr(array, i * size, answer);
            }
        }

        Marshal.WriteIntPtr(responses, array);
        return PamSuccess;
    }

    private static string Describe(IntPtr handle, int status) => Marshal.PtrToStringUTF8(pam_strerror(handle, status)) ?? $"error {status}";

    /// <summary>The group ids of <paramref name="user"/> (primary and supplementary, through NSS).</summary>
    private static HashSet<uint> GroupsOf(string user)
    {
        var passwd = getpwnam(user);
        if (passwd == IntPtr.Zero)
        {
            return [];
        }

        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... }
        var primary = (uint)Marshal.ReadInt32(passwd, (2 * IntPtr.Size) + sizeof(uint));
        var count = 64;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var groups = new uint[count];
            var found = count;
            if (getgrouplist(user, primary, groups, ref found) >= 0)
            {
                return [.. groups.Take(found)];
            }

            count = Math.Max(found, count * 4);
        }

        return [primary];
    }

    private static uint? GroupId(string name)
    {
        var group = getgrnam(name);

        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
        return group == IntPtr.Zero ? null : (uint)Marshal.ReadInt32(group, 2 * IntPtr.Size);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PamConv
    {
        public IntPtr Conversation;
        public IntPtr AppData;
    }

    [DllImport("libpam.so.0")]
    private static extern int pam_start([MarshalAs(UnmanagedType.LPUTF8Str)] string service, [MarshalAs(UnmanagedType.LPUTF8Str)] string user, ref PamConv conversation, out IntPtr handle);

    [DllImport("libpam.so.0")]
    private static extern int pam_set_item(IntPtr handle, int type, [MarshalAs(UnmanagedType.LPUTF8Str)] string value);

    [DllImport("libpam.so.0")]
    private static extern int pam_authenticate(IntPtr handle, int flags);

    [DllImport("libpam.so.0")]
    private static extern int pam_acct_mgmt(IntPtr handle, int flags);

    [DllImport("libpam.so.0")]
    private static extern int pam_end(IntPtr handle, int status);

    [DllImport("libpam.so.0")]
    private static extern IntPtr pam_strerror(IntPtr handle, int status);

    [DllImport("libc")]
    private static extern IntPtr getpwnam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc")]
    private static extern IntPtr getgrnam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc")]
    private static extern int getgrouplist([MarshalAs(UnmanagedType.LPUTF8Str)] string user, uint group, [In, Out] uint[] groups, ref int count);
}
