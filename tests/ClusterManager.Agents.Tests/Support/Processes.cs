namespace ClusterManager.Agents.Tests.Support;

internal static class Processes
{
    /// <summary>True while <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits (generously) until <paramref name="condition"/> holds; returns whether it did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
