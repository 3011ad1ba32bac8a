using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Research.Commands;

/// <summary>
/// <c>foldin</c>: how close fold-in comes to training with the user. MovieLens-100K u1 (ratings ≥ 4): a seeded share of
/// the u1.base users is held out, a model is trained on the other users' rows, the held-out users are folded in from
/// their u1.base rows (<see cref="FoldIn.FoldInUsers"/>) and ranked on u1.test, next to the same users in a model
/// trained on all of u1.base (same options and seed) and to the fallback (mean) user of the partial model.
/// </summary>
internal static class FoldInExperiment
{
    public static Command Create()
    {
        var trainer = new Option<string>("--trainer") { Description = "bpr or apr.", DefaultValueFactory = _ => "bpr" };
        var share = new Option<double>("--holdout-users") { Description = "Share of the u1.base users held out and folded in.", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of both models.", DefaultValueFactory = _ => 100 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds 1..N (user holdout, training, fold-in).", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Adam steps of the fold-in.", DefaultValueFactory = _ => FoldInOptions.Defaults.Steps };
        var negatives = new Option<int>("--negatives") { Description = "Negatives drawn per positive by the fold-in.", DefaultValueFactory = _ => FoldInOptions.Defaults.NegativesPerPositive };
        var command = new Command("foldin", "Fold-in vs training with the user: NDCG@10 of held-out MovieLens-100K u1 users folded in, against a model trained with them.")
            { trainer, share, epochs, seeds, steps, negatives };
        command.SetHandler(c =>
        {
            string kind = c.Get(trainer);
            if (kind is not ("bpr" or "apr")) throw new CliException("--trainer must be bpr or apr.");
            if (c.Get(share) is <= 0 or >= 1) throw new CliException("--holdout-users must be between 0 and 1.");
            if (c.Get(seeds) <= 0) throw new CliException("--seeds must be positive.");
            var split = TrainTestSplit.FromFiles(DataLocator.GetPath("ml-100k/u1.base"), DataLocator.GetPath("ml-100k/u1.test"), 4);
            c.Out.WriteLine("| seed | held-out users ranked | NDCG@10 trained with them | NDCG@10 folded in | ratio | NDCG@10 fallback user | fold-in seconds |");
            c.Out.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            var ratios = new List<double>();
            for (int seed = 1; seed <= c.Get(seeds); seed++)
            {
                var r = Run(split, kind == "apr", c.Get(share), c.Get(epochs), c.Get(steps), c.Get(negatives), seed);
                ratios.Add(r.FoldedIn / r.Full);
                c.Out.WriteLine($"| {seed} | {r.Users} | {r.Full:F4} | {r.FoldedIn:F4} | {r.FoldedIn / r.Full:P1} | {r.Fallback:F4} | {r.Seconds:F1} |");
            }
            c.Out.WriteLine($"mean ratio folded-in / trained-with: {ratios.Average():P1}");
            return 0;
        });
        return command;
    }

    private sealed record Result(int Users, double Full, double FoldedIn, double Fallback, double Seconds);

    private static Result Run(TrainTestSplit split, bool apr, double share, int epochs, int steps, int negatives, int seed)
    {
        var train = split.Train;
        var rng = new Random(seed);
        var heldOut = train.ActiveUsers().Where(_ => rng.NextDouble() < share).ToHashSet();
        var (kept, added) = (Subset(train, u => !heldOut.Contains(u)), Subset(train, heldOut.Contains));

        var options = new AprTrainer.Options { Epochs = epochs, Seed = seed, AdversarialWeight = apr ? AprTrainer.Options.AdversarialDefaults.AdversarialWeight : 0 };
        var trainers = new MLContext(seed).Adversarial().Trainers;
        var full = trainers.Apr(options).Train(train, null, seed, null, out _).Model;
        var partial = trainers.Apr(options).Train(kept, null, seed, null, out _).Model;
        var clock = Stopwatch.StartNew();
        var folded = partial.FoldInUsers(added, FoldInOptions.For(options) with { Steps = steps, NegativesPerPositive = negatives });
        double seconds = clock.Elapsed.TotalSeconds;

        var test = Subset(split.Test, heldOut.Contains, keepVocabulary: true);
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = [10] });
        double Ndcg(IRecommenderModel model) => evaluator.Evaluate(new RecommenderModelScorer(model, train.Users, train.Items), train, test).At(10).Ndcg;
        return new Result(evaluator.Evaluate(new RecommenderModelScorer(full, train.Users, train.Items), train, test).UserCount,
            Ndcg(full), Ndcg(folded), Ndcg(partial), seconds);
    }

    /// <summary>The positives of the users <paramref name="keep"/> selects, over their own user vocabulary (or the original one).</summary>
    internal static InteractionData Subset(InteractionData data, Func<int, bool> keep, bool keepVocabulary = false)
    {
        var users = Enumerable.Range(0, data.Users.Count).Where(keep).ToArray();
        var vocabulary = keepVocabulary ? data.Users
            : data.Users.Kind == IdKind.Int64 ? IdVocabulary.FromInt64(users.Select(u => data.Users.Int64Ids[u]))
            : IdVocabulary.FromStrings(users.Select(u => data.Users.StringIds[u]));
        var userIndex = new List<int>();
        var itemIndex = new List<int>();
        foreach (int u in users)
            foreach (int i in data.ItemsOf(u))
            {
                userIndex.Add(vocabulary.IndexOf(data.Users, u));
                itemIndex.Add(i);
            }
        return InteractionData.FromIndices(vocabulary, data.Items, userIndex.ToArray(), itemIndex.ToArray());
    }
}
