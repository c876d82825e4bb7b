using Tailmark.Bench;

// In-process benchmarks. Usage: dotnet run -c Release --project bench/Tailmark.Bench -- <name> [args]
return args.FirstOrDefault() switch
{
    "checks" => await CheckThroughput.RunAsync(args.Skip(1).ToArray()),
    "language" => LanguageThroughput.Run(args.Skip(1).ToArray()),
    "grade" => await GradeThroughput.RunAsync(args.Skip(1).ToArray()),
    "dialects" => await DialectRecovery.RunAsync(args.Skip(1).ToArray()),
    "serve" => await ServeThroughput.RunAsync(args.Skip(1).ToArray()),
    "store" => await StoreCost.RunAsync(args.Skip(1).ToArray()),
    "serve-wrk" or "serve-conns" or "serve-soak" => await ServeWrk.RunAsync(args[0], args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Tailmark.Bench checks [SHARED_DATA_DIR] [SECONDS] [--by-type]");
    Console.Error.WriteLine("       Tailmark.Bench language [SHARED_DATA_DIR] [ROUNDS]");
    Console.Error.WriteLine("       Tailmark.Bench grade [RESPONSES] [MODES] [CAPACITY] [WARMUP] [SPLIT] [DIALECT]");
    Console.Error.WriteLine("       Tailmark.Bench dialects [RESPONSES] [MODES] [DIALECTS]");
    Console.Error.WriteLine("       Tailmark.Bench serve [SECONDS] [CLIENTS]");
    Console.Error.WriteLine("       Tailmark.Bench store [RESPONSES] [CRITERIA] [CONCURRENCY]   (needs PostgreSQL's server: apt-get install postgresql)");
    Console.Error.WriteLine("       Tailmark.Bench serve-wrk [SECONDS] [CONNECTIONS] [-- SERVE_ARGS]  (needs wrk: apt-get install wrk)");
    Console.Error.WriteLine("       Tailmark.Bench serve-conns [CONNECTIONS] [SECONDS]");
    Console.Error.WriteLine("       Tailmark.Bench serve-soak [MINUTES] [CONNECTIONS]");
    return 2;
}
