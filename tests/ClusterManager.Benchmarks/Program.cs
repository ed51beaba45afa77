using ClusterManager.Benchmarks.Scheduler;

namespace ClusterManager.Benchmarks;

/// <summary>
/// The project's benchmarks, one per first word (<c>bash tests/bench.sh WORD [options]</c>). Each prints its
/// figures; none asserts a time.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, (string Summary, Func<string[], Task<int>> Run)> Benchmarks =
        new(StringComparer.Ordinal)
        {
            ["scheduler"] = ("policy engine vs Pacemaker's crm_simulate on generated clusters", SchedulerCommand.RunAsync),
        };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage();
            return args.Length == 0 ? 2 : 0;
        }

        if (!Benchmarks.TryGetValue(args[0], out var benchmark))
        {
            Console.Error.WriteLine($"unknown benchmark '{args[0]}'");
            PrintUsage();
            return 2;
        }

        return await benchmark.Run(args[1..]);
    }

    private static void PrintUsage()
    {
        Console.Error.WriteLine("usage: bench WORD [options]   (WORD --help for its options)");
        foreach (var (word, (summary, _)) in Benchmarks)
        {
            Console.Error.WriteLine($"  {word,-10} {summary}");
        }
    }
}
