using System.Runtime.InteropServices;
using ClusterManager.Agents.Interop;

namespace ClusterManager.Agents.IpAddr;

/// <summary>
/// Runs code inside a named network namespace (<c>/run/netns/NAME</c>, as <c>ip netns</c> makes them) on a
/// dedicated thread that joins the namespace and then ends, so no pooled thread is left in it. Sockets created
/// there stay bound to that namespace wherever they are used afterwards.
/// </summary>
internal static class NetworkNamespace
{
    public static Task<T> RunAsync<T>(string? name, Func<T> action)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Task.FromResult(action());
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(Path.Combine("/run/netns", name));
                if (Libc.setns((int)ns.DangerousGetHandle(), Libc.CloneNewNet) != 0)
                {
                    throw new IOException($"setns into network namespace {name} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                done.SetResult(action());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "netns " + name };
        thread.Start();
        return done.Task;
    }
}
