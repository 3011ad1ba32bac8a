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
/// <c>update-bench</c>: the two targets of incremental training (<see cref="AprTrainer.Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/>)
/// on MovieLens-100K u1 (ratings ≥ 4). (a) New users: a seeded 10% of the u1.base users are left out of training and
/// added by an update; their NDCG@10 against the same users in a model trained with them. (b) New interactions: a
/// seeded 10% of the u1.base positives are left out and added by an update; NDCG@10 of all users and the update's
/// time against a full retraining on all of u1.base. With <c>--validation</c> the test file is replaced by a seeded
/// 20% per-user holdout of u1.base (what the update's defaults were chosen on), so u1.test is never looked at.
/// </summary>
internal static class UpdateBenchmark
{
    public static Command Create()
    {
        var trainer = new Option<string>("--trainer") { Description = "bpr or apr.", DefaultValueFactory = _ => "bpr" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of the trained models.", DefaultValueFactory = _ => FactorizationTrainerOptions.Defaults.Epochs };
        var seeds = new Option<int>("--seeds") { Description = "Seeds 1..N (holdouts, training, update).", DefaultValueFactory = _ => 1 };
        var updateEpochs = new Option<int>("--update-epochs") { Description = "Epochs of the update.", DefaultValueFactory = _ => UpdateOptions.Defaults.Epochs };
        var oldPerNew = new Option<double>("--old-per-new") { Description = "Old positives sampled per new one.", DefaultValueFactory = _ => UpdateOptions.Defaults.OldPositivesPerNew };
        var foldInSteps = new Option<int>("--foldin-steps") { Description = "Adam steps of the update's fold-in.", DefaultValueFactory = _ => UpdateOptions.Defaults.FoldInSteps };
        var validation = new Option<bool>("--validation") { Description = "Evaluate on a 20% per-user holdout of u1.base instead of u1.test (for choosing the update's settings)." };
        var command = new Command("update-bench", "Incremental training: new users (>= 95% of trained-with NDCG@10?) and 10% new interactions (>= 98% of a full retraining in <= 20% of its time?) on MovieLens-100K u1.")
            { trainer, epochs, seeds, updateEpochs, oldPerNew, foldInSteps, validation };
        command.SetHandler(c =>
        {
            string kind = c.Get(trainer);
            if (kind is not ("bpr" or "apr")) throw new CliException("--trainer must be bpr or apr.");
            if (c.Get(seeds) <= 0) throw new CliException("--seeds must be positive.");
            var update = new UpdateOptions { Epochs = c.Get(updateEpochs), OldPositivesPerNew = c.Get(oldPerNew), FoldInSteps = c.Get(foldInSteps) };
            update.Validate();
            var split = TrainTestSplit.FromFiles(DataLocator.GetPath("ml-100k/u1.base"), DataLocator.GetPath("ml-100k/u1.test"), 4);
            c.Out.WriteLine($"{kind}, {c.Get(epochs)} epochs; update: {update.Epochs} epochs, {update.OldPositivesPerNew} old positives per new, {update.FoldInSteps} fold-in steps; evaluated on {(c.Get(validation) ? "a 20% per-user holdout of u1.base" : "u1.test")}");
            c.Out.WriteLine("| seed | (a) users | NDCG@10 trained with | fold-in only | ratio | update | ratio | (b) NDCG@10 full retrain | before update | after update | ratio | retrain s | update s | time ratio |");
            c.Out.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var rows = new List<Row>();
            for (int seed = 1; seed <= c.Get(seeds); seed++)
            {
                var (train, test) = c.Get(validation) ? Holdout(split.Train, 0.2, 1000 + seed) : (split.Train, split.Test);
                var r = Run(train, test, kind == "apr", c.Get(epochs), update, seed);
                rows.Add(r);
                c.Out.WriteLine($"| {seed} | {r.Users} | {r.UsersFull:F4} | {r.UsersFoldIn:F4} | {r.UsersFoldIn / r.UsersFull:P1} | {r.UsersUpdated:F4} | {r.UsersUpdated / r.UsersFull:P1} | " +
                    $"{r.Full:F4} | {r.Before:F4} | {r.Updated:F4} | {r.Updated / r.Full:P1} | {r.RetrainSeconds:F1} | {r.UpdateSeconds:F1} | {r.UpdateSeconds / r.RetrainSeconds:P1} |");
            }
            c.Out.WriteLine($"mean (a) update / trained-with: {rows.Average(r => r.UsersUpdated / r.UsersFull):P1} (fold-in only {rows.Average(r => r.UsersFoldIn / r.UsersFull):P1}); " +
                $"(b) update / retrain: {rows.Average(r => r.Updated / r.Full):P1} in {rows.Average(r => r.UpdateSeconds / r.RetrainSeconds):P1} of its time");
            return 0;
        });
        return command;
    }

    private sealed record Row(int Users, double UsersFull, double UsersFoldIn, double UsersUpdated, double Full, double Before, double Updated, double RetrainSeconds, double UpdateSeconds);

    private static Row Run(InteractionData train, InteractionData test, bool apr, int epochs, UpdateOptions update, int seed)
    {
        var options = new AprTrainer.Options { Epochs = epochs, Seed = seed, AdversarialWeight = apr ? AprTrainer.Options.AdversarialDefaults.AdversarialWeight : 0 };
        var trainers = new MLContext(seed).Adversarial().Trainers;
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = [10] });
        double Ndcg(IRecommenderModel model, InteractionData on) => evaluator.Evaluate(new RecommenderModelScorer(model, train.Users, train.Items), train, on).At(10).Ndcg;

        var clock = Stopwatch.StartNew();
        var full = trainers.Apr(options).Train(train, null, seed, null, out _).Model;
        double retrainSeconds = clock.Elapsed.TotalSeconds;

        // (a) new users: trained without them, added by an update.
        var rng = new Random(seed);
        var heldOut = train.ActiveUsers().Where(_ => rng.NextDouble() < 0.1).ToHashSet();
        var kept = FoldInExperiment.Subset(train, u => !heldOut.Contains(u));
        var added = FoldInExperiment.Subset(train, heldOut.Contains);
        var partial = trainers.Apr(options).Train(kept, null, seed, null, out var partialCheckpoint).Model;
        var heldOutTest = FoldInExperiment.Subset(test, heldOut.Contains, keepVocabulary: true);
        var foldedIn = trainers.Apr(options).Update(partial, kept, added, update with { Epochs = 0 }, null, partialCheckpoint).Model;
        var updatedUsers = trainers.Apr(options).Update(partial, kept, added, update, null, partialCheckpoint).Model;

        // (b) 10% new interactions (their users and items may be new as well).
        var (before, fresh) = Holdout(train, 0.1, seed, perUser: false);
        var (beforeKnown, beforeModel) = Compact(before);
        var old = trainers.Apr(options).Train(beforeKnown, null, seed, null, out var oldCheckpoint).Model;
        clock.Restart();
        var updated = trainers.Apr(options).Update(old, beforeKnown, fresh, update, Environment.GetEnvironmentVariable("UPDATE_LOG") is null ? null : m => Console.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s {m}"), oldCheckpoint).Model;
        double updateSeconds = clock.Elapsed.TotalSeconds;
        _ = beforeModel;

        return new Row(evaluator.Evaluate(new RecommenderModelScorer(full, train.Users, train.Items), train, heldOutTest).UserCount,
            Ndcg(full, heldOutTest), Ndcg(foldedIn, heldOutTest), Ndcg(updatedUsers, heldOutTest),
            Ndcg(full, test), Ndcg(old, test), Ndcg(updated, test), retrainSeconds, updateSeconds);
    }

    /// <summary>The positives over only the users and items they name (an old model knows nothing else).</summary>
    private static (InteractionData Data, bool Compacted) Compact(InteractionData data)
    {
        var users = data.ActiveUsers().ToArray();
        var items = data.ItemIndices.ToArray().Distinct().Order().ToArray();
        IdVocabulary Vocabulary(IdVocabulary v, int[] keep) => v.Kind == IdKind.Int64 ? IdVocabulary.FromInt64(keep.Select(k => v.Int64Ids[k])) : IdVocabulary.FromStrings(keep.Select(k => v.StringIds[k]));
        var userVocabulary = Vocabulary(data.Users, users);
        var itemVocabulary = Vocabulary(data.Items, items);
        var u = new List<int>();
        var i = new List<int>();
        foreach (int user in users)
            foreach (int item in data.ItemsOf(user)) { u.Add(userVocabulary.IndexOf(data.Users, user)); i.Add(itemVocabulary.IndexOf(data.Items, item)); }
        return (InteractionData.FromIndices(userVocabulary, itemVocabulary, u.ToArray(), i.ToArray()), users.Length != data.Users.Count || items.Length != data.Items.Count);
    }

    /// <summary>A seeded holdout of <paramref name="share"/> of the positives (per user, or of all of them), both over <paramref name="data"/>'s vocabularies.</summary>
    private static (InteractionData Kept, InteractionData Held) Holdout(InteractionData data, double share, int seed, bool perUser = true)
    {
        var rng = new Random(seed);
        var (ku, ki, hu, hi) = (new List<int>(), new List<int>(), new List<int>(), new List<int>());
        for (int u = 0; u < data.Users.Count; u++)
        {
            var items = data.ItemsOf(u).ToArray();
            rng.Shuffle(items);
            int held = perUser ? (int)Math.Round(items.Length * share) : -1;
            for (int k = 0; k < items.Length; k++)
            {
                bool hold = perUser ? k < held : rng.NextDouble() < share;
                (hold ? hu : ku).Add(u);
                (hold ? hi : ki).Add(items[k]);
            }
        }
        return (InteractionData.FromIndices(data.Users, data.Items, ku.ToArray(), ki.ToArray()), InteractionData.FromIndices(data.Users, data.Items, hu.ToArray(), hi.ToArray()));
    }
}
