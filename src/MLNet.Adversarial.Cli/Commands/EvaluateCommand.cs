using System.CommandLine;
using System.Globalization;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary><c>evaluate</c>: full-ranking metrics of a trained model (and ItemPop) on a train/test pair, optionally under the APR attack.</summary>
internal static class EvaluateCommand
{
    private const int AttackK = 10;

    public static Command Create()
    {
        var model = CliSupport.ModelDirectory();
        model.Required = false; // not with --cold-start, which trains its own models
        var train = CliSupport.File("--train", "Training interactions (their positives are excluded from the ranking).", required: true);
        var test = CliSupport.File("--test", "Test interactions (optional with --cold-start: a seeded 20% per-user holdout of --train).");
        var minRating = CliSupport.MinRating();
        var ks = CliSupport.Ks();
        var attack = new Option<string?>("--attack") { Description = "Noise levels ε of the APR attack, comma-separated: prints the relative NDCG@10 drop per ε.", HelpName = "E,E,..." };
        var json = CliSupport.File("--json", "Also write the metrics to this JSON file.");
        var coldStart = new ColdStartFlags();
        var command = new Command("evaluate", "Evaluate a trained model against ItemPop (and optionally its robustness); or, with --cold-start, train and evaluate a hybrid model on held-out cold items.")
        {
            model, train, test, minRating, ks, attack, json,
        };
        command.AddOptions(coldStart.All);
        command.SetHandler(c =>
        {
            if (c.Get(coldStart.Fraction) is not null)
            {
                if (c.Get(model) is not null) throw new CliException("--cold-start trains its own models on the warm items; it does not take --model.");
                if (c.Get(attack) is not null) throw new CliException("--attack does not combine with --cold-start.");
                return coldStart.Run(c, c.Get(train)!, c.Get(test), c.Get(minRating), c.Get(ks), c.Get(json));
            }
            if (c.Get(model) is null) throw new CliException("--model is required (unless --cold-start).");
            if (c.Get(test) is null) throw new CliException("--test is required (unless --cold-start).");
            var epsilons = c.Get(attack) is { } text
                ? CliSupport.ParseList(text, "--attack", s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), e => e >= 0 && double.IsFinite(e))
                : null;
            var recommender = new ModelDirectory(c.Get(model)!).LoadModel();
            // The attack perturbs the vectors the score uses; a hybrid model's are its id + projected text vectors.
            var attacked = recommender switch { FactorizationModel f => f, HybridFactorizationModel h => h.Effective, _ => null };
            if (epsilons is not null && attacked is null)
                throw new CliException("--attack: the APR attack perturbs embeddings, so it applies to matrix-factorisation models only.");
            var split = TrainTestSplit.FromFiles(c.Get(train)!, c.Get(test)!, c.Get(minRating));
            var ranking = new RankingEvaluator.Options { Ks = c.Get(ks) };
            var evaluator = new RankingEvaluator(ranking);
            var metrics = evaluator.Evaluate(new RecommenderModelScorer(recommender, split.Train.Users, split.Train.Items), split.Train, split.Test);
            var pop = evaluator.Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);
            c.Out.WriteLine($"test: {metrics.UserCount} users, full ranking over {split.Test.Items.Count} items");
            Reports.WriteTable(c.Out, [("model", metrics), ("ItemPop", pop)]);

            IReadOnlyList<RobustnessResult>? robustness = null;
            if (epsilons is not null)
            {
                var robustnessOptions = new RobustnessEvaluator.Options
                {
                    Epsilons = epsilons,
                    Ranking = new RankingEvaluator.Options { Ks = [AttackK] },
                };
                robustness = new RobustnessEvaluator(robustnessOptions).Evaluate(attacked!, split.Train, split.Test);
                c.Out.WriteLine($"{"epsilon",8}  {"NDCG@10",8}  {"attacked",8}  {"drop",8}");
                foreach (var r in robustness)
                    c.Out.WriteLine(FormattableString.Invariant(
                        $"{r.Epsilon,8:G4}  {r.Clean.At(AttackK).Ndcg,8:F4}  {r.Attacked.At(AttackK).Ndcg,8:F4}  {r.RelativeDrop[0].Ndcg,8:P1}"));
            }

            if (c.Get(json) is { } path)
                Reports.WriteJson(path, new
                {
                    Model = Reports.ToDto(metrics),
                    ItemPop = Reports.ToDto(pop),
                    Attack = robustness?.Select(r => new { r.Epsilon, CleanNdcg = r.Clean.At(AttackK).Ndcg, AttackedNdcg = r.Attacked.At(AttackK).Ndcg, RelativeNdcgDrop = r.RelativeDrop[0].Ndcg }),
                });
            return 0;
        });
        return command;
    }
}
