from tmdb_collector.cli import main

main()
