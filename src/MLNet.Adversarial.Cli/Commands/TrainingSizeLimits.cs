using System.Globalization;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// What 'train' refuses before any data is read beyond the declared ranges of the hyper-parameters (which bound the
/// batch sizes and sample counts in the library too, see their [HyperParameter] Max): --epochs 0 would ship an untrained
/// model, and a thread count in the millions makes OpenMP abort the process. Each is named, with its flag, in a
/// one-line error.
/// </summary>
internal static class TrainingSizeLimits
{
    /// <summary>The largest --threads.</summary>
    public const int MaxThreads = 1 << 10;

    /// <summary>Throws a <see cref="CliException"/> naming the first flag out of bounds.</summary>
    public static void Check(RecommenderTrainerOptions options)
    {
        int epochs = options switch { CfganTrainer.Options c => c.Epochs, FactorizationTrainerOptions f => f.Epochs, _ => 1 };
        if (epochs <= 0)
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--epochs must be positive (got {epochs}): with no epoch the model would be shipped untrained."));
        if (options.NumberOfThreads is { } threads) InRange("--threads", threads, MaxThreads);
    }

    private static void InRange(string flag, int value, int max)
    {
        if (value < 1 || value > max) throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{flag} must be in 1..{max:N0} (got {value:N0})."));
    }
}
