using System.CommandLine;
using MLNet.Adversarial.Cli.Commands;

namespace MLNet.Adversarial.Cli;

/// <summary>Builds the command tree and runs it; the tests call <see cref="Run(string[], TextWriter, TextWriter)"/> in-process.</summary>
internal static class CliApp
{
    /// <summary>The product commands. The research harness (reproduce, bench, scale, ...) is <c>mlnet-adv-research</c>.</summary>
    public static RootCommand BuildRoot() => new("Train, evaluate, export and query BPR / APR (adversarial) recommenders.")
    {
        TrainCommand.Create(),
        UpdateCommand.Create(),
        TuneCommand.Create(),
        EvaluateCommand.Create(),
        RecommendCommand.Create(),
        ExportCommand.Create(),
        ScoreCommand.Create(),
        AuditCommand.Create(),
    };

    /// <summary>Parses <paramref name="args"/>, runs the command and returns the exit code (0 on success).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(BuildRoot(), args, output, error);

    /// <summary>Runs <paramref name="args"/> against <paramref name="root"/>: shared by this tool and the research harness.</summary>
    public static int Run(RootCommand root, string[] args, TextWriter output, TextWriter error)
    {
        var parse = root.Parse(args);
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }
}
